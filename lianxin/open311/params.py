"""Reading parameters as real Open311 clients send them.

An empty parameter counts as absent (the spec's "Optional Arguments"), POST
bodies are form-encoded, and `api_key` may come in the body or the query string.
"""

import datetime as dt
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.translation import gettext as _

from lianxin.open311.formats import Open311Error
from lianxin.open311.partners import partner_for_key
from lianxin.text import clean_text

MAX_RANGE = dt.timedelta(days=90)
MAX_RESULTS = 1000
# Years a query may name. Far outside, a range's arithmetic overflows Python's datetime
# (year 1 minus 90 days) and PostgreSQL refuses some offsets: no case is that old or new.
YEARS = range(2000, 2100)


def param(request, name: str) -> str | None:
    """The stripped value of `name` from the body (POST) or the query string; None if empty."""
    value = None
    if request.method == "POST":
        value = request.POST.get(name)
    if value is None or not value.strip():
        value = request.GET.get(name)
    if value is None:
        return None
    return clean_text(value) or None


def listed(request, name: str) -> list[str]:
    """A comma-separated (or repeated) parameter as a list of non-empty items."""
    source = request.POST if request.method == "POST" else request.GET
    values = source.getlist(name) or request.GET.getlist(name)
    items = (clean_text(item, one_line=True) for value in values for item in value.split(","))
    return [item for item in items if item]


def is_web_url(value: str) -> bool:
    """An absolute http(s) address with a host: what a partner's `media_url` must be. The
    feed hands it to every client and the case page links it, so javascript:, data:,
    file: and relative addresses are refused."""
    try:
        parts = urlsplit(value)
    except ValueError:  # an unbalanced [ in the host
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def media_url(request) -> str | None:
    """The `media_url` parameter, refused in the spec's error shape unless http(s)."""
    value = param(request, "media_url")
    if value is None:
        return None
    if len(value) > 500 or not is_web_url(value):
        raise Open311Error.one(
            400, _("media_url 须是以 http:// 或 https:// 开头的完整网址（不超过500个字符）。")
        )
    return value


def require_partner(request):
    key = param(request, "api_key")
    partner = partner_for_key(key)
    if partner is None:
        if key is None:
            raise Open311Error.one(403, _("缺少 api_key。"))
        raise Open311Error.one(403, _("api_key 无效或已停用。"))
    return partner


def parse_moment(value: str | None, name: str) -> dt.datetime | None:
    """A W3C datetime (2010-01-01T00:00:00Z, with an offset) or a date; a moment without
    an offset is read in the platform's time zone."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            moment = dt.datetime.combine(dt.date.fromisoformat(value), dt.time())
        else:
            moment = dt.datetime.fromisoformat(value.replace(" ", "+", 1) if "T" in value else "")
    except ValueError:
        raise Open311Error.one(
            400,
            _("%(name)s 不是有效的 W3C 日期时间（例如 2026-01-01T00:00:00+08:00）：%(value)s")
            % {"name": name, "value": value},
        ) from None
    if moment.year not in YEARS:
        raise Open311Error.one(
            400,
            _("%(name)s 须在2000年至2099年之间：%(value)s") % {"name": name, "value": value},
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    # One offset for the database: PostgreSQL refuses some that Python accepts (-23:59).
    return moment.astimezone(dt.UTC)


def date_range(request) -> tuple[dt.datetime, dt.datetime]:
    """start_date and end_date with the spec's defaults: the most recent 90 days, and never
    more than 90 days."""
    start = parse_moment(param(request, "start_date"), "start_date")
    end = parse_moment(param(request, "end_date"), "end_date")
    if end is None:
        end = timezone.now() if start is None else start + MAX_RANGE
    if start is None:
        start = end - MAX_RANGE
    if end < start:
        raise Open311Error.one(400, _("end_date 早于 start_date。"))
    if end - start > MAX_RANGE:
        raise Open311Error.one(400, _("start_date 与 end_date 相隔不能超过90天。"))
    return start, end
