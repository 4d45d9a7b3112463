"""The two wire formats, shaped as GeoReport v2 shapes them.

JSON follows the spec's "Spark convention": the XML root and its repeated child
collapse into a bare array (a single request too); XML has a declaration, the
root element (`services`, `service_requests`, `errors`, ...) and one child per
item. Values are strings, numbers, booleans or None (null in JSON, an empty
element in XML); a list value becomes a wrapper element of repeated children
(`formats/format`, `attributes/attribute`).
"""

import datetime as dt
import json
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import timezone

from lianxin.text import xml_safe

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'

# Wrapper element → its repeated child, for nested lists.
CHILD_NAMES = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}


class Open311Error(Exception):
    """A refusal in the spec's error shape: HTTP status and (code, description) pairs."""

    def __init__(self, status: int, *errors: tuple[int | str, str]):
        super().__init__(str(errors))
        self.status = status
        self.errors = list(errors) or [(status, "")]

    @classmethod
    def one(cls, status: int, description) -> "Open311Error":
        return cls(status, (status, str(description)))


def w3(moment: dt.datetime | None) -> str | None:
    """A W3C/ISO 8601 moment with the platform's offset: 2026-11-22T09:30:00+08:00."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _text(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return escape(xml_safe(str(value)))


def _element(name: str, value, out: list[str]) -> None:
    if isinstance(value, dict):
        out.append(f"<{name}>")
        for key, item in value.items():
            _element(key, item, out)
        out.append(f"</{name}>")
    elif isinstance(value, list):
        child = CHILD_NAMES.get(name, "item")
        if not value:
            out.append(f"<{name}/>")
            return
        out.append(f"<{name}>")
        for item in value:
            _element(child, item, out)
        out.append(f"</{name}>")
    elif value is None or value == "":
        out.append(f"<{name}/>")
    else:
        out.append(f"<{name}>{_text(value)}</{name}>")


def to_xml(root: str, child: str | None, data) -> str:
    """`data` is a list of dicts (each a `child` under `root`) or one dict (the root)."""
    out = [XML_DECLARATION]
    if child is None:
        _element(root, data, out)
    else:
        out.append(f"<{root}>")
        for item in data:
            _element(child, item, out)
        out.append(f"</{root}>")
    return "".join(out)


def render(fmt: str, root: str, child: str | None, data, *, status: int = 200) -> HttpResponse:
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        return HttpResponse(body, content_type=JSON_TYPE, status=status)
    return HttpResponse(to_xml(root, child, data), content_type=XML_TYPE, status=status)


def render_error(fmt: str, error: Open311Error) -> HttpResponse:
    items = [{"code": code, "description": description} for code, description in error.errors]
    return render(fmt, "errors", "error", items, status=error.status)
