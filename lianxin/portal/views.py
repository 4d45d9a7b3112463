"""Residents' pages: submit a concern, follow it, rate the result, see one's own cases.

A visitor proves a case is his by the signed link in his text messages, or by its
tracking number and the last four digits of the phone he gave; the proof lasts for his
session (`PROVED_KEY`). With it he may rate the result, as the case's resident may when
signed in (docs/security.md).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lianxin.accounts.actions import do_register_resident
from lianxin.accounts.signin import ResidentSignInForm
from lianxin.accounts.views import PasswordChangeView, SignInView
from lianxin.cases.access import (
    access_case_for_visitor,
    case_by_visitor_proof,
    is_staff,
)
from lianxin.cases.actions import do_record_return_visit, do_register_case
from lianxin.cases.follow_links import case_id_from_token
from lianxin.cases.models import (
    Case,
    CaseEvent,
    CasePhoto,
    Channel,
    Satisfaction,
    Status,
    mask_phone,
)
from lianxin.cases.photos import photo_response
from lianxin.cases.rules import WorkflowError
from lianxin.cases.sla import deadline_state
from lianxin.cases.timeline import event_label
from lianxin.forms import add_workflow_error
from lianxin.notify.verify import (
    account_phone_verified,
    do_check_phone_code,
    do_reset_password,
    do_send_phone_code,
    do_send_reset_code,
)
from lianxin.portal.forms import (
    ConcernForm,
    FollowForm,
    RatingForm,
    ResetPasswordForm,
    ResetRequestForm,
    SignupForm,
)
from lianxin.ratelimit import DAY, Limit, client_address

VERIFIED_KEY = "portal_verified_phone"  # the phone this session proved with a code
# What the form keeps when "send code" posts it without JavaScript (photos cannot be kept).
KEPT_FIELDS: tuple[str, ...] = (
    "category",
    "title",
    "text",
    "address",
    "latitude",
    "longitude",
    "datum",
)
KEPT_FIELDS += ("name", "phone", "anonymous", "token")
# The status a refused code request answers with.
CODE_STATUSES = {"code_too_soon": 429, "code_limited": 429, "code_unavailable": 503}
SEEN_KEY = "portal_cases"  # pks of the cases this session has proved (or submitted)
PROVED_KEY = "portal_proved_cases"  # of those, the ones proved by a link or the digits
FAILURE_WINDOW = 15 * 60  # seconds: the window of the per-address limit on wrong guesses
# The form field a workflow refusal is about, so that the message sits beside it.
ERROR_FIELDS = {
    "title_required": "title",
    "title_too_long": "title",
    "text_required": "text",
    "address_required": "address",
    "invalid_phone": "phone",
    "invalid_category": "category",
    "comment_required": "comment",
    "invalid_satisfaction": "satisfaction",
    "phone_taken": "phone",
    "invalid_photo": "photos",
    "too_many_photos": "photos",
}
# Public events whose note is meant for the resident: his own words (the reopening repeats
# the rating's comment, so it is left out), or a progress note
# staff chose to publish. Other notes (a dispatch instruction, a whistle's reason) stay inside.
RESIDENT_NOTE_CODES = {
    "cases.case.note_added",
    "cases.case.return_visited",
    "cases.case.withdrawn",
}


def _resident_actor(user):
    """The signed-in resident, or None for a visitor (and for staff, who file at the workbench)."""
    if not user.is_authenticated or is_staff(user):
        return None
    return user


def _remember(request, case: Case, *, proved: bool = False) -> None:
    for key in (SEEN_KEY, PROVED_KEY) if proved else (SEEN_KEY,):
        kept = request.session.get(key, [])
        if case.pk not in kept:
            request.session[key] = [*kept[-19:], case.pk]


def _proved(request, case: Case) -> bool:
    """Whether this visitor may rate the case: he proved it, or he is its resident."""
    if is_staff(request.user):
        return False  # staff rate by phone at the workbench, not here
    owner = request.user.is_authenticated and case.resident_id == request.user.pk
    return owner or case.pk in request.session.get(PROVED_KEY, [])


def _public_case(request, pk) -> Case:
    """The case if this session proved it or the signed-in resident owns it; else 404."""
    return access_case_for_visitor(request.user, pk, request.session.get(SEEN_KEY, []))


@require_http_methods(["GET", "POST"])
def submit(request):
    actor = _resident_actor(request.user)
    status, code_status = 200, ""
    if request.method == "POST" and "send_code" in request.POST:
        # Without JavaScript the "send code" button posts the whole form: keep what was typed.
        code_status, status = _send_code(request, actor, request.POST.get("phone", ""))
        form = ConcernForm(initial={name: request.POST.get(name, "") for name in KEPT_FIELDS})
    elif request.method == "POST" and request.FILES and not _photo_post_allowed(request):
        # Checking photos is what costs: refuse before one is opened, keep what was typed.
        form = ConcernForm(request.POST)
        form.is_valid()
        form.add_error(None, _("上传照片过于频繁，请一小时后再试，或先不带照片提交。"))
        status = 429
    elif request.method == "POST":
        form = ConcernForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            verified = _phone_verified(request, actor, form)
            if not form.errors and not _within_limits(request, data["phone"]):
                form.add_error(
                    None, _("提交过于频繁，今天已达上限。请明天再试，或拨打12345热线反映。")
                )
                status = 429
            if not form.errors:
                try:
                    case = do_register_case(
                        actor=actor,
                        channel=Channel.WEB,
                        title=data["title"],
                        text=data["text"],
                        address=data["address"],
                        category=data["category"],
                        latitude=data["latitude"],
                        longitude=data["longitude"],
                        resident_name=data["name"],
                        resident_phone=data["phone"],
                        phone_verified=verified,
                        anonymous=data["anonymous"],
                        photos=data["photos"],
                        idempotency_key=f"portal:{data['token']}",
                    )
                except WorkflowError as error:
                    add_workflow_error(form, error, ERROR_FIELDS)
                else:
                    _remember(request, case)
                    return redirect("portal:submitted", pk=case.pk)
    else:
        initial = {}
        if actor is not None:
            initial = {"name": actor.full_name, "phone": actor.phone}
        form = ConcernForm(initial=initial)
    photos_dropped = (form.is_bound or bool(code_status)) and bool(request.FILES.getlist("photos"))
    context = {
        "form": form,
        "photos_dropped": photos_dropped,
        "nav": "submit",
        "code_status": code_status,
    }
    return render(request, "portal/submit.html", context, status=status)


def _photo_post_allowed(request) -> bool:
    """Count a post carrying photos against its address's hourly limit."""
    limit = Limit("photo-posts", settings.PORTAL_PHOTO_POSTS_PER_ADDRESS, 3600)
    return limit.hit(client_address(request))


def _within_limits(request, phone: str) -> bool:
    """Count this submission against its address's and its phone's daily limits."""
    by_address = Limit("submit-address", settings.PORTAL_SUBMISSIONS_PER_ADDRESS, DAY)
    by_phone = Limit("submit-phone", settings.PORTAL_SUBMISSIONS_PER_PHONE, DAY)
    # Both are counted, so that rotating phones from one address runs out as well.
    return all([by_address.hit(client_address(request)), by_phone.hit(phone)])


def _phone_verified(request, actor, form) -> bool:
    """Whether the phone given is proved: earlier in this session, on the resident's
    account, or by the code typed now (a wrong code is an error on its field)."""
    phone, code = form.cleaned_data["phone"], form.cleaned_data["code"]
    if request.session.get(VERIFIED_KEY) == phone or account_phone_verified(actor, phone):
        return True
    if not code:
        return False
    try:
        do_check_phone_code(phone, code, user=actor)
    except WorkflowError as error:
        form.add_error("code", str(error.message))
        return False
    request.session[VERIFIED_KEY] = phone
    return True


def _send_code(request, actor, phone: str) -> tuple[str, int]:
    """Text a code to `phone`: what to tell the visitor, and the status to answer with."""
    try:
        sent = do_send_phone_code(phone, client=client_address(request), user=actor)
    except WorkflowError as error:
        return str(error.message), CODE_STATUSES.get(error.code, 400)
    message = _("验证码已发送至%(phone)s，%(minutes)d分钟内有效。") % {
        "phone": mask_phone(sent.phone),
        "minutes": settings.PHONE_CODE_MINUTES,
    }
    return message, 200


@require_POST
def phone_code(request):
    """The "send code" button's request from the page's script: a message and a status."""
    message, status = _send_code(request, _resident_actor(request.user), request.POST.get("phone"))
    return JsonResponse({"message": message, "sent": status == 200}, status=status)


@require_GET
def submitted(request, pk):
    case = _public_case(request, pk)
    return render(request, "portal/submitted.html", {"case": case})


def _follow_limits() -> tuple[Limit, Limit]:
    """Wrong guesses are counted in the shared cache, not in the session (which a guesser
    drops with its cookie): per address, and per tracking number from any address, so
    that the 10,000 possible last-four-digits take months to try, not minutes."""
    return (
        Limit("follow-address", settings.PORTAL_FOLLOW_FAILURES_PER_ADDRESS, FAILURE_WINDOW),
        Limit("follow-case", settings.PORTAL_FOLLOW_FAILURES_PER_CASE, DAY),
    )


@require_http_methods(["GET", "POST"])
def follow(request):
    by_address, by_case = _follow_limits()
    address = client_address(request)
    throttled = by_address.exceeded(address)
    case_throttled = False
    if request.method == "POST" and not throttled:
        form = FollowForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            number = data["tracking_number"]
            case_throttled = by_case.exceeded(number)
            case = None if case_throttled else case_by_visitor_proof(number, data["phone_last4"])
            if case is not None:
                _remember(request, case, proved=True)
                return redirect("portal:case", pk=case.pk)
            if not case_throttled:
                by_address.hit(address)
                by_case.hit(number)
                throttled = by_address.exceeded(address)
                form.add_error(None, _("未找到相符的诉求，请核对受理编号和手机号后四位。"))
    else:
        form = FollowForm(request.POST or None)
    context = {
        "form": form,
        "throttled": throttled,
        "case_throttled": case_throttled,
        "nav": "follow",
    }
    return render(request, "portal/follow.html", context)


@require_GET
def follow_link(request, token):
    """The signed link from a text message: prove the case, then show it at its own
    address, so that the token leaves the address bar (and any Referer) at once."""
    case_id = case_id_from_token(token)
    case = Case.objects.filter(pk=case_id).first() if case_id is not None else None
    if case is None:
        context = {"form": FollowForm(), "link_expired": True, "nav": "follow"}
        return render(request, "portal/follow.html", context, status=404)
    _remember(request, case, proved=True)
    return redirect("portal:case", pk=case.pk)


@require_GET
def case_detail(request, pk):
    return _render_case(request, _public_case(request, pk))


@require_GET
def case_photo(request, pk, photo_pk):
    """A photo of the resident's report, for whoever may open the case's page here."""
    case = _public_case(request, pk)
    photo = get_object_or_404(case.photos, pk=photo_pk, stage=CasePhoto.Stage.INTAKE)
    return photo_response(photo)


def _render_case(request, case: Case, rating_form=None):
    events = CaseEvent.objects.filter(case=case, public=True).select_related("actor_unit")
    timeline = [
        {
            "label": event_label(event.code),
            "at": event.at,
            "unit": event.actor_unit.name if event.actor_unit else "",
            "note": event.note if event.code in RESIDENT_NOTE_CODES else "",
        }
        for event in events
    ]
    can_rate = case.status == Status.VERIFIED and _proved(request, case)
    context = {
        "case": case,
        "timeline": timeline,
        "deadline": deadline_state(case),
        "photos": case.photos.filter(stage=CasePhoto.Stage.INTAKE),
        "awaiting_rating": case.status == Status.VERIFIED,
        "rating_form": (rating_form or RatingForm()) if can_rate else None,
        "satisfaction": Satisfaction(case.satisfaction).label if case.satisfaction else "",
    }
    return render(request, "portal/case.html", context)


@require_POST
def rate(request, pk):
    case = _public_case(request, pk)
    if not _proved(request, case):
        raise Http404
    form = RatingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        actor = _resident_actor(request.user)
        try:
            visit = do_record_return_visit(
                case,
                actor=actor,
                satisfaction=data["satisfaction"],
                solved=data["solved"],
                comment=data["comment"],
                # The owner signed in needs no proof; anyone else proved the case here.
                proved=not (actor is not None and case.resident_id == actor.pk),
            )
        except WorkflowError as error:
            add_workflow_error(form, error, ERROR_FIELDS)
        else:
            if visit.satisfaction == Satisfaction.UNSATISFIED:
                messages.success(request, _("已收到您的评价，诉求已退回承办单位重新办理。"))
            else:
                messages.success(request, _("感谢您的评价，诉求已办结归档。"))
            return redirect("portal:case", pk=case.pk)
    return _render_case(request, case, rating_form=form)


@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = do_register_resident(
                phone=data["phone"], full_name=data["full_name"], password=data["password"]
            )
        except WorkflowError as error:
            add_workflow_error(form, error, ERROR_FIELDS)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("注册成功，欢迎使用连心服务平台。"))
            return redirect("portal:mine")
    return render(request, "portal/signup.html", {"form": form})


class PortalLoginView(SignInView):
    form_class = ResidentSignInForm
    template_name = "portal/login.html"
    next_page = reverse_lazy("portal:mine")  # type: ignore[assignment]  # Django takes lazy URLs


@method_decorator(login_required(login_url=reverse_lazy("portal:login")), name="dispatch")
class PortalPasswordChangeView(PasswordChangeView):
    template_name = "portal/password_change.html"
    success_url = reverse_lazy("portal:mine")


RESET_PHONE_KEY = "password_reset_phone"  # the phone step 1 sent a code to, for step 2


class PasswordResetView(View):
    """Step 1 of a reset: the phone, to which a code goes if an account has it.

    The answer is the same whether or not it has one (`do_send_reset_code`). The staff
    sign-in page uses the same steps with its own templates (lianxin/urls.py)."""

    template_name = "portal/password_reset.html"
    confirm_url = reverse_lazy("portal:password_reset_confirm")

    def get(self, request):
        return render(request, self.template_name, {"form": ResetRequestForm()})

    def post(self, request):
        form = ResetRequestForm(request.POST)
        status = 200
        if form.is_valid():
            phone = form.cleaned_data["phone"]
            try:
                do_send_reset_code(phone, client=client_address(request))
            except WorkflowError as error:
                form.add_error("phone", str(error.message))
                status = CODE_STATUSES.get(error.code, 400)
            else:
                request.session[RESET_PHONE_KEY] = phone
                messages.info(
                    request,
                    _("如该手机号已注册，验证码已发送至%(phone)s，%(minutes)d分钟内有效。")
                    % {"phone": mask_phone(phone), "minutes": settings.PHONE_CODE_MINUTES},
                )
                return redirect(self.confirm_url)
        return render(request, self.template_name, {"form": form}, status=status)


class PasswordResetConfirmView(View):
    """Step 2: the code from the text, and the new password."""

    template_name = "portal/password_reset_confirm.html"
    start_url = reverse_lazy("portal:password_reset")
    done_url = reverse_lazy("portal:login")

    def dispatch(self, request, *args, **kwargs):
        self.phone = request.session.get(RESET_PHONE_KEY)
        if not self.phone:
            return redirect(self.start_url)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(ResetPasswordForm(phone=self.phone))

    def post(self, request):
        form = ResetPasswordForm(request.POST, phone=self.phone)
        if form.is_valid():
            data = form.cleaned_data
            try:
                do_reset_password(self.phone, data["code"], data["new_password1"])
            except WorkflowError as error:
                form.add_error("code", str(error.message))
            else:
                del request.session[RESET_PHONE_KEY]
                messages.success(request, _("密码已重设，请用新密码登录。"))
                return redirect(self.done_url)
        return self.render(form)

    def render(self, form):
        context = {"form": form, "phone": mask_phone(self.phone), "start_url": self.start_url}
        return render(self.request, self.template_name, context)


@require_GET
@login_required(login_url=reverse_lazy("portal:login"))
def mine(request):
    cases = (
        Case.objects.visible_to(request.user)
        .filter(resident_id=request.user.pk)
        .select_related("category")
        .order_by("-registered_at", "-pk")
    )
    page = Paginator(cases, 20).get_page(request.GET.get("page"))
    return render(request, "portal/mine.html", {"page": page, "nav": "mine"})
