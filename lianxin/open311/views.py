"""GeoReport v2 at /open311/v2/, with mySociety's servicerequestupdates.

Views parse, call `filing` or read through `shapes`, and render through `formats`.
GET needs no key; POST needs a partner's `api_key`. POSTs come from other
programs with a key, not from a browser session, so they are exempt from CSRF.
"""

from functools import wraps

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from lianxin.cases.models import CaseEvent, CasePhoto, Category, Status
from lianxin.cases.photos import photo_response
from lianxin.open311 import filing, shapes
from lianxin.open311.formats import Open311Error, render, render_error
from lianxin.open311.params import MAX_RESULTS, date_range, listed, param, require_partner

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# Bump when the service list's shape or the endpoints change (clients refresh caches).
CHANGESET = "2026-11-22T00:00:00+08:00"


def refuse_nul(request, path_values: dict) -> None:
    """A NUL in any parameter is refused: no one types it, PostgreSQL cannot store or even
    compare it, and a partner should hear that its client is broken. Other controls are
    what Word and WeChat paste; `param` cleans them out."""
    sources = [request.GET, request.POST] if request.method == "POST" else [request.GET]
    names = [
        name
        for source in sources
        for name, values in source.lists()
        if "\x00" in name or any("\x00" in value for value in values)
    ]
    names += [name for name, value in path_values.items() if "\x00" in str(value)]
    if names:
        raise Open311Error.one(
            400,
            _("参数 %(names)s 含有空字符（NUL），请检查客户端的编码。")
            % {"names": "、".join(sorted({name.replace("\x00", "") for name in names}))},
        )


def open311_view(methods: tuple[str, ...]):
    """Allow `methods`, and turn an Open311Error into the spec's error shape."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, fmt="xml", **kwargs):
            if request.method not in methods:
                response = render_error(
                    fmt, Open311Error.one(405, _("不支持 %(m)s 请求。") % {"m": request.method})
                )
                response["Allow"] = ", ".join(methods)
                return response
            try:
                refuse_nul(request, kwargs)
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                return render_error(fmt, error)

        return csrf_exempt(wrapper)

    return decorate


@open311_view(("GET",))
def discovery(request, fmt):
    root = request.build_absolute_uri(reverse("open311:root"))
    data = {
        "changeset": CHANGESET,
        "contact": _("连心服务办公室。"),
        "key_service": _("合作方接入请联系连心服务办公室申请 api_key。"),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": root.rstrip("/"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, "discovery", None, data)


def _service(category: Category) -> dict:
    group = category.parent.name if category.parent else ""
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": str(category),
        "metadata": False,
        "type": "realtime",  # every request gets its id at once: no tokens
        "keywords": ",".join(filter(None, [group, category.name])),
        "group": group,
    }


@open311_view(("GET",))
def services(request, fmt):
    categories = Category.objects.filter(
        active=True, parent__isnull=False, parent__active=True
    ).select_related("parent")
    categories = categories.order_by("parent__sort_order", "parent__code", "sort_order", "code")
    return render(fmt, "services", "service", [_service(c) for c in categories])


@open311_view(("GET",))
def service_definition(request, code, fmt):
    category = filing.service_for(code)
    # Our categories ask for nothing beyond the description and the place.
    data = {"service_code": category.code, "attributes": []}
    return render(fmt, "service_definition", None, data)


@open311_view(("GET", "POST"))
def service_requests(request, fmt):
    if request.method == "POST":
        partner = require_partner(request)
        case = filing.create_request(request, partner)
        data = [
            {
                "service_request_id": case.tracking_number,
                "service_notice": shapes.service_notice(case),
                "account_id": param(request, "account_id"),
            }
        ]
        return render(fmt, "service_requests", "request", data)
    cases = shapes.public_cases()
    numbers = listed(request, "service_request_id")
    if numbers:  # overrides every other argument
        cases = cases.filter(tracking_number__in=numbers[:MAX_RESULTS])
    else:
        start, end = date_range(request)
        cases = cases.filter(registered_at__gte=start, registered_at__lte=end)
        codes = listed(request, "service_code")
        if codes:
            known = set(Category.objects.filter(code__in=codes).values_list("code", flat=True))
            unknown = [code for code in codes if code not in known]
            if unknown:
                raise Open311Error.one(
                    404, _("未找到 service_code“%(code)s”。") % {"code": ",".join(unknown)}
                )
            cases = cases.filter(category__code__in=codes)
        statuses = {status.lower() for status in listed(request, "status")}
        if statuses - {"open", "closed"}:
            raise Open311Error.one(400, _("status 只能是 open 或 closed。"))
        if statuses == {"open"}:
            cases = cases.filter(status__in=shapes.OPEN_STATUSES)
        elif statuses == {"closed"}:
            cases = cases.filter(status__in=shapes.CLOSED_STATUSES)
    cases = shapes.with_photos(cases.order_by("-registered_at", "-pk")[:MAX_RESULTS])
    return render(
        fmt, "service_requests", "request", [shapes.request_shape(c, request) for c in cases]
    )


@open311_view(("GET",))
def service_request(request, number, fmt):
    cases = shapes.with_photos(shapes.public_cases().filter(tracking_number=number))
    if not cases:
        raise Open311Error.one(404, _("未找到诉求“%(number)s”。") % {"number": number})
    return render(fmt, "service_requests", "request", [shapes.request_shape(cases[0], request)])


@open311_view(("GET", "POST"))
def service_request_updates(request, fmt):
    if request.method == "POST":
        partner = require_partner(request)
        event = filing.post_update(request, partner)
        data = [{"update_id": str(event.pk)}]
        return render(fmt, "service_request_updates", "request_update", data)
    start, end = date_range(request)
    events = (
        CaseEvent.objects.filter(public=True, at__gte=start, at__lte=end)
        .exclude(case__status=Status.VOIDED)
        .select_related("case")
        .order_by("at", "pk")
    )
    numbers = listed(request, "service_request_id")
    if numbers:
        events = events.filter(case__tracking_number__in=numbers)
    data = [shapes.update_shape(event) for event in events[:MAX_RESULTS]]
    return render(fmt, "service_request_updates", "request_update", data)


@require_GET
def public_photo(request, pk):
    """A photo the office made public (the feed's `media_url`); any other is not found."""
    photo = get_object_or_404(
        CasePhoto.objects.exclude(case__status=Status.VOIDED), pk=pk, public=True
    )
    return photo_response(photo)


@open311_view(("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"))
def not_found(request, fmt="xml", **kwargs):
    """Anything else under /open311/v2/, in the spec's error shape (tokens included: every
    service is realtime, so there are none)."""
    path = request.path
    fmt = "json" if path.endswith(".json") else "xml"
    return render_error(fmt, Open311Error.one(404, _("没有这个接口：%(path)s") % {"path": path}))
