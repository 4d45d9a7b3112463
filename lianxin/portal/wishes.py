"""The residents' side of the micro-wishes: the public wish wall, posting a wish, one's own
wishes, confirming (or not) what was done; and, for staff who open the wall on a phone,
claiming a wish.

The wall shows only what a community published (`Wish.objects.on_the_wall()`), the
wisher as a masked name (王**) and never a phone. A visitor posts with a phone he proves by a text
message code, as on the concern form, within the same daily limits per address and phone.
"""

import re

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lianxin.cases.photos import photo_response
from lianxin.errors import WorkflowError
from lianxin.orgs.models import Unit
from lianxin.portal.forms import PhotosField
from lianxin.portal.views import _phone_verified, _resident_actor, _send_code
from lianxin.programs import actions, rules
from lianxin.programs.forms import ClaimForm, ReasonForm, TextForm
from lianxin.programs.models import ON_THE_WALL, Wish, WishClaim, WishPhoto, WishStatus
from lianxin.ratelimit import DAY, Limit, client_address

S = WishStatus
SEEN_KEY = "portal_wishes"  # pks of the wishes this session posted
PER_PAGE = 20
KEPT_FIELDS = ("community", "text", "name", "phone")
ERROR_FIELDS = {
    "text_required": "text",
    "text_too_long": "text",
    "community_required": "community",
    "name_required": "name",
    "invalid_phone": "phone",
    "phone_unverified": "code",
    "invalid_photo": "photos",
    "too_many_photos": "photos",
    "reason_required": "reason",
    "reason_too_long": "reason",
    "invalid_date": "promised_date",
}
# The wisher's own actions here, and the claim for staff; the rest is on the staff pages.
OWNER_ACTIONS = ("revise", "confirm", "dispute")


def community_choices() -> list:
    communities = Unit.objects.filter(kind=Unit.Kind.COMMUNITY).select_related("parent")
    groups: dict[str, list[tuple[str, str]]] = {}
    for community in communities.order_by("parent__name", "name"):
        street = community.parent.name if community.parent else ""
        groups.setdefault(street, []).append((str(community.pk), community.name))
    return [("", gettext_lazy("请选择社区")), *groups.items()]


class WishForm(forms.Form):
    community = forms.ChoiceField(
        label=gettext_lazy("所在社区"),
        error_messages={"required": gettext_lazy("请选择所在社区。")},
    )
    text = forms.CharField(
        label=gettext_lazy("我的心愿"),
        max_length=500,
        error_messages={"required": gettext_lazy("请填写您的心愿。")},
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": gettext_lazy("如：想请人帮忙修一下家里的旧收音机")}
        ),
    )
    photos = PhotosField(label=gettext_lazy("照片（选填，1张）"))
    name = forms.CharField(
        label=gettext_lazy("您的称呼"),
        max_length=50,
        error_messages={"required": gettext_lazy("请填写您的称呼。")},
    )
    phone = forms.CharField(
        label=gettext_lazy("手机号"),
        max_length=20,
        error_messages={"required": gettext_lazy("请填写手机号。")},
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    code = forms.CharField(
        label=gettext_lazy("短信验证码"),
        max_length=6,
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = community_choices()

    def clean_community(self):
        return Unit.objects.filter(
            pk=self.cleaned_data["community"], kind=Unit.Kind.COMMUNITY
        ).first()

    def clean_phone(self):
        return re.sub(r"\s", "", self.cleaned_data["phone"])

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if code and not (code.isdigit() and len(code) == 6):
            raise ValidationError(gettext_lazy("验证码是短信中的6位数字。"))
        return code


def _add_error(form, error: WorkflowError) -> None:
    field = ERROR_FIELDS.get(error.code)
    form.add_error(field if field in form.fields else None, str(error.message))


def _wall_wishes():
    return (
        Wish.objects.on_the_wall()
        .select_related("community")
        .prefetch_related(
            Prefetch(
                "claims",
                queryset=WishClaim.objects.filter(released_at__isnull=True).select_related("unit"),
                to_attr="live_claims",
            ),
            Prefetch(
                "photos",
                queryset=WishPhoto.objects.filter(stage=WishPhoto.Stage.WISH),
                to_attr="wish_photos",
            ),
        )
    )


@require_GET
def wall(request):
    wishes = _wall_wishes()
    communities = Unit.objects.filter(
        pk__in=Wish.objects.on_the_wall().values("community")
    ).order_by("name")
    community = None
    if request.GET.get("community"):
        community = communities.filter(pk=request.GET["community"]).first()
        if community is None:
            raise Http404
        wishes = wishes.filter(community=community)
    if request.GET.get("open"):
        wishes = wishes.filter(status=S.PUBLISHED)
    page = Paginator(wishes.order_by("-published_at", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "communities": communities,
        "community": community,
        "only_open": bool(request.GET.get("open")),
        "nav": "wishes",
    }
    return render(request, "portal/wishes/wall.html", context)


def _within_limits(request, phone: str) -> bool:
    by_address = Limit("wish-address", settings.PORTAL_SUBMISSIONS_PER_ADDRESS, DAY)
    by_phone = Limit("wish-phone", settings.PORTAL_SUBMISSIONS_PER_PHONE, DAY)
    return all([by_address.hit(client_address(request)), by_phone.hit(phone)])


def _remember(request, wish: Wish) -> None:
    seen = request.session.get(SEEN_KEY, [])
    if wish.pk not in seen:
        request.session[SEEN_KEY] = [*seen[-19:], wish.pk]


@require_http_methods(["GET", "POST"])
def post(request):
    actor = _resident_actor(request.user)
    if request.user.is_authenticated and actor is None:
        # Staff record a wish for a household from its card, not as a resident here.
        messages.error(request, _("工作人员请从住户卡片为住户登记微心愿。"))
        return redirect("portal:wishes")
    status, code_status = 200, ""
    if request.method == "POST" and "send_code" in request.POST:
        code_status, status = _send_code(request, actor, request.POST.get("phone", ""))
        form = WishForm(initial={name: request.POST.get(name, "") for name in KEPT_FIELDS})
    elif request.method == "POST":
        form = WishForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            verified = actor is not None or _phone_verified(request, actor, form)
            if not form.errors and not verified:
                form.add_error("code", _("请先获取并填写短信验证码，验证手机号后再提交。"))
            if not form.errors and not _within_limits(request, data["phone"]):
                form.add_error(None, _("提交过于频繁，今天已达上限。请明天再试。"))
                status = 429
            if not form.errors:
                try:
                    wish = actions.do_post_wish(
                        actor=actor,
                        community=data["community"],
                        text=data["text"],
                        wisher_name=data["name"],
                        wisher_phone=data["phone"],
                        phone_verified=verified,
                        photos=data["photos"],
                    )
                except WorkflowError as error:
                    _add_error(form, error)
                else:
                    _remember(request, wish)
                    messages.success(request, _("心愿已提交，社区审核后会在心愿墙上公布。"))
                    return redirect("portal:wish", pk=wish.pk)
        if form.errors:
            status = max(status, 400)
    else:
        initial = {"name": actor.full_name, "phone": actor.phone} if actor is not None else {}
        form = WishForm(initial=initial)
    context = {"form": form, "nav": "wishes", "code_status": code_status, "resident": actor}
    return render(request, "portal/wishes/post.html", context, status=status)


def _own(request, wish: Wish) -> bool:
    user = request.user
    if user.is_authenticated and wish.wisher_id == user.pk:
        return True
    return wish.pk in request.session.get(SEEN_KEY, [])


def _visible_wish(request, pk) -> Wish:
    """A wish on the wall, or the visitor's own in any status; 404 for any other."""
    wish = Wish.objects.select_related("community").filter(pk=pk).first()
    if wish is None or (wish.status not in ON_THE_WALL and not _own(request, wish)):
        raise Http404
    return wish


def _render_wish(request, wish: Wish, forms=None, status=200):
    user = request.user
    claim = (
        WishClaim.objects.filter(wish=wish, released_at__isnull=True).select_related("unit").first()
    )
    available = set(rules.available_actions(user, wish, claim))
    forms = forms or {}
    photos = list(wish.photos.all())
    context = {
        "wish": wish,
        "claim": claim,
        "own": _own(request, wish),
        "wish_photos": [p for p in photos if p.stage == WishPhoto.Stage.WISH],
        "fulfilment_photos": [p for p in photos if p.stage == WishPhoto.Stage.FULFILMENT],
        "may_claim": "claim" in available,
        "claim_form": (forms.get("claim") or ClaimForm(user=user))
        if "claim" in available
        else None,
        "holder": claim is not None and claim.claimer_id == getattr(user, "pk", None),
        "may_confirm": "confirm" in available and wish.wisher_id == getattr(user, "pk", None),
        "dispute_form": forms.get("dispute") or ReasonForm(),
        "revise_form": (forms.get("revise") or TextForm(initial={"text": wish.text}))
        if "revise" in available and wish.wisher_id == getattr(user, "pk", None)
        else None,
        "nav": "wishes",
    }
    return render(request, "portal/wishes/wish.html", context, status=status)


@require_GET
def wish_detail(request, pk):
    return _render_wish(request, _visible_wish(request, pk))


@require_POST
@login_required(login_url=reverse_lazy("portal:login"))
def act(request, pk, action: str):
    """The wisher's revise, confirm and dispute, and a staff member's claim."""
    user = request.user
    wish = _visible_wish(request, pk)
    if action in OWNER_ACTIONS and wish.wisher_id != user.pk:
        raise Http404  # a community confirms for the wisher on the staff pages
    form: forms.Form | None
    if action == "claim":
        form = ClaimForm(request.POST, user=user)
    elif action == "revise":
        form = TextForm(request.POST, request.FILES)
    elif action == "dispute":
        form = ReasonForm(request.POST)
    elif action == "confirm":
        form = None
    else:
        raise Http404
    if form is None or form.is_valid():
        data = form.cleaned_data if form is not None else {}
        try:
            if action == "claim":
                actions.do_claim_wish(
                    wish, actor=user, promised_date=data["promised_date"], unit=data["unit"]
                )
                done = _("认领成功！请在承诺日期前完成，完成后在“我的认领”中登记。")
            elif action == "revise":
                actions.do_revise_wish(wish, actor=user, text=data["text"], photos=data["photos"])
                done = _("心愿已修改，等待社区审核。")
            elif action == "dispute":
                actions.do_dispute_wish(wish, actor=user, reason=data["reason"])
                done = _("已反馈，心愿退回认领人继续办理。")
            else:
                actions.do_confirm_wish(wish, actor=user)
                done = _("感谢您的确认，心愿已圆梦！")
        except WorkflowError as error:
            if form is None:
                messages.error(request, str(error.message))
                return redirect("portal:wish", pk=wish.pk)
            _add_error(form, error)
        else:
            messages.success(request, done)
            return redirect("portal:wish", pk=wish.pk)
    wish.refresh_from_db()
    return _render_wish(request, wish, forms={action: form}, status=400)


@require_GET
@login_required(login_url=reverse_lazy("portal:login"))
def mine(request):
    wishes = Wish.objects.filter(wisher=request.user).select_related("community")
    page = Paginator(wishes.order_by("-posted_at", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "portal/wishes/mine.html", {"page": page, "nav": "wishes"})


@require_GET
def wish_photo(request, pk, photo_pk):
    """A wish's photo for whoever may see the wish here (the wall's are public)."""
    wish = _visible_wish(request, pk)
    return photo_response(get_object_or_404(wish.photos, pk=photo_pk))
