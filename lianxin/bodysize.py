"""Refuse a request body over `MAX_REQUEST_BYTES` before a byte of it is read.

Django reads a multipart body whole (to memory or temporary files) before any form sees
its size, and the probe sent six 60-megapixel PNGs in one anonymous post. The reverse
proxy caps the body first (`client_max_body_size`, docs/security.md); this is the same
cap for a process reached without it. A body without a Content-Length (chunked) is
read by Django only up to DATA_UPLOAD_MAX_MEMORY_SIZE for fields and to temporary files
for uploads, which the proxy caps in production.
"""

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django treats a malformed length as no body
        limit = settings.MAX_REQUEST_BYTES
        if limit and length > limit:
            message = _("提交的内容过大（超过%(mb)d MB），请减少或缩小照片后再试。") % {
                "mb": limit // (1024 * 1024)
            }
            response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
            # The body is never read, so the connection cannot carry another request.
            response["Connection"] = "close"
            return response
        return self.get_response(request)
