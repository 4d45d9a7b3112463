"""Talking to the upstream GeoReport v2 endpoint: two calls, each with its timeouts.

No retries here: a failed call raises `UpstreamError`, and the job that made it
decides when to try again (see `UpstreamSettings.backoff`).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import urljoin

import requests
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from lianxin.text import clean_text
from lianxin.upstream.models import UpstreamSettings

USER_AGENT = "lianxin-upstream/1"


class UpstreamError(Exception):
    """The upstream could not be reached, timed out, or answered with an error."""

    def __init__(self, message: str, status_code: int | None = None):
        super().__init__(message)
        self.status_code = status_code


@dataclass(frozen=True)
class Order:
    """One service request as the upstream describes it (GeoReport v2 fields)."""

    upstream_id: str
    status: str
    status_notes: str
    service_code: str
    service_name: str
    description: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    requested_at: dt.datetime | None
    updated_at: dt.datetime | None
    media_url: str = ""

    @classmethod
    def from_json(cls, item: dict) -> "Order":
        """Raises ValueError for an item we cannot use (no id, a malformed date)."""
        upstream_id = str(item.get("service_request_id") or "").strip()
        if not upstream_id:
            raise ValueError("service request without service_request_id")
        return cls(
            upstream_id=upstream_id,
            status=str(item.get("status") or "open").strip().lower(),
            status_notes=_text(item.get("status_notes")),
            service_code=_text(item.get("service_code")),
            service_name=_text(item.get("service_name")),
            description=_text(item.get("description")),
            address=_text(item.get("address")),
            latitude=_coordinate(item.get("lat"), 90),
            longitude=_coordinate(item.get("long"), 180),
            requested_at=parse_w3c(item.get("requested_datetime")),
            updated_at=parse_w3c(item.get("updated_datetime")),
            media_url=_text(item.get("media_url")),
        )


def _text(value) -> str:
    return "" if value is None else clean_text(str(value))


def _coordinate(value, limit: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except InvalidOperation:
        return None
    return number if abs(number) <= limit else None


def parse_w3c(value) -> dt.datetime | None:
    """A GeoReport datetime; one without an offset is read in the platform's time zone."""
    if value in (None, ""):
        return None
    parsed = parse_datetime(str(value).strip())
    if parsed is None:
        raise ValueError(f"malformed datetime {value!r}")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def format_w3c(moment: dt.datetime) -> str:
    """2026-11-22T10:00:00+08:00: the W3C form the specification asks for."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


class GeoReportClient:
    def __init__(self, config: UpstreamSettings, session: requests.Session | None = None):
        self.config = config
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        base = config.base_url
        self.base = base if base.endswith("/") else base + "/"

    def _params(self, **extra) -> dict:
        params = {key: value for key, value in extra.items() if value not in (None, "")}
        if self.config.jurisdiction_id:
            params["jurisdiction_id"] = self.config.jurisdiction_id
        if self.config.api_key:
            params["api_key"] = self.config.api_key
        return params

    def _call(self, method: str, path: str, **kwargs) -> requests.Response:
        url = urljoin(self.base, path)
        try:
            response = self.session.request(method, url, timeout=self.config.timeouts, **kwargs)
        except requests.Timeout as exc:
            raise UpstreamError(f"{method} {path}: timed out ({exc.__class__.__name__})") from exc
        except requests.RequestException as exc:
            raise UpstreamError(f"{method} {path}: {exc.__class__.__name__}: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise UpstreamError(
                f"{method} {path}: HTTP {response.status_code} {response.text[:200]}",
                status_code=response.status_code,
            )
        return response

    def _json(self, response: requests.Response, path: str):
        try:
            return response.json()
        except ValueError as exc:
            raise UpstreamError(f"{path}: not JSON", status_code=response.status_code) from exc

    def get_requests(
        self,
        *,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        ids: list[str] | None = None,
    ) -> list[dict]:
        """GET requests.json: by requested_datetime window, or by a list of ids."""
        if ids:
            params = self._params(service_request_id=",".join(ids))
        else:
            params = self._params(
                start_date=format_w3c(start) if start else None,
                end_date=format_w3c(end) if end else None,
            )
        data = self._json(self._call("GET", "requests.json", params=params), "requests.json")
        if not isinstance(data, list):
            raise UpstreamError("requests.json: expected a JSON array")
        return [item for item in data if isinstance(item, dict)]

    def post_update(self, payload: dict) -> tuple[int, dict]:
        """POST servicerequestupdates.json (mySociety's extension), form-encoded; returns
        the HTTP status and upstream's answer (its own update_id, when it gives one)."""
        body = self._params(**payload)
        response = self._call(
            "POST",
            "servicerequestupdates.json",
            data=body,
            headers={"Idempotency-Key": payload["update_id"]},
        )
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, list) and data and isinstance(data[0], dict):
            return response.status_code, data[0]
        return response.status_code, data if isinstance(data, dict) else {}
