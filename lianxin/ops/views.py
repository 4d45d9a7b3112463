from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lianxin.ops import health


@never_cache
@require_GET
def healthz(request):
    """200 when every check passes, else 503; `?check=database,queue` asks for some only
    (a load balancer that should keep a web host in service while the consumer is down)."""
    only = [name for name in request.GET.get("check", "").split(",") if name]
    body = health.report(only)
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)
