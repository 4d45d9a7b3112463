"""The content security policy: scripts, styles and everything else from our own origin.

Every script is a static file (no inline `<script>`, no `on...=` attribute, no `style=`
in a template; `lianxin/tests/test_csp.py` reads the templates to keep it so), so the
policy needs no `'unsafe-inline'` and no nonces. The only other origin is the map's tile
server, whose images the maps draw (`MAP_TILE_URL`; a `{s}` subdomain becomes `*`).

`CONTENT_SECURITY_POLICY` replaces the whole policy, or switches it off with "off";
`CSP_REPORT_ONLY=1` sends it as `Content-Security-Policy-Report-Only` while a district
checks its own pages. A response that carries its own policy (a photo: `default-src
'none'; sandbox`) keeps it. Django's debug pages (DEBUG on, an error status) are drawn
with inline styles and scripts and get none.
"""

from functools import cache
from urllib.parse import urlsplit

from django.conf import settings


def tile_origin(url: str) -> str:
    """`https://{s}.tile.example.org/{z}/{x}/{y}.png` → `https://*.tile.example.org`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    host, _, port = parts.netloc.rpartition("@")[2].partition(":")
    labels = ["*" if "{" in label else label for label in host.split(".")]
    return f"{parts.scheme}://{'.'.join(labels)}" + (f":{port}" if port else "")


@cache
def default_policy(tile_url: str) -> str:
    images = " ".join(filter(None, ["'self'", "data:", "blob:", tile_origin(tile_url)]))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {images}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def policy() -> str:
    configured = settings.CONTENT_SECURITY_POLICY.strip()
    if configured.lower() == "off":
        return ""
    return configured or default_policy(settings.MAP_TILE_URL)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        text = policy()
        if not text or "Content-Security-Policy" in response:
            return response
        if settings.DEBUG and response.status_code >= 400:
            return response  # Django's technical 404/500 pages
        header = (
            "Content-Security-Policy-Report-Only"
            if settings.CSP_REPORT_ONLY
            else "Content-Security-Policy"
        )
        response[header] = text
        return response
