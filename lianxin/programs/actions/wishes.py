"""Every change to a micro-wish: post, review, claim, fulfil, confirm.

Each action takes the acting user as `actor`, locks the wish's row (two people acting on
one wish queue there, and the second finds it already moved on), checks the rule table
(`lianxin.programs.rules`), writes the change with `update_fields` and one `WishEvent`, all
in one transaction.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor, User
from lianxin.cases.access import standing_of
from lianxin.cases.actions.intake import PHONE_RE
from lianxin.cases.photos import checked_photos
from lianxin.errors import WorkflowError
from lianxin.orgs.models import Unit
from lianxin.programs import rules
from lianxin.programs.models import Wish, WishClaim, WishEvent, WishPhoto, WishStatus
from lianxin.registry import rules as registry_rules
from lianxin.registry.models import Household
from lianxin.text import Message, clean_text
from lianxin.workdays.days import local_date

S = WishStatus
MAX_TEXT = 500
MAX_NOTE = 500
MAX_WISH_PHOTOS = 1
MAX_FULFILMENT_PHOTOS = 3
# A claimer promises a date within this many days: a wish is small, or it is a case.
MAX_PROMISE_DAYS = 90


def _now(when: dt.datetime | None) -> dt.datetime:
    if when is not None and timezone.is_naive(when):
        raise ValueError("Wish times must be aware datetimes.")
    return when or timezone.now()


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def _lock(wish: Wish | int) -> Wish:
    return Wish.objects.select_for_update().get(pk=wish.pk if isinstance(wish, Wish) else wish)


def _live_claim(wish: Wish) -> WishClaim | None:
    return WishClaim.objects.select_for_update().filter(wish=wish, released_at__isnull=True).first()


@dataclass
class _Step:
    """A wish locked for one action: the wish, its live claim, the actor's acting unit."""

    wish: Wish
    claim: WishClaim | None
    unit_id: int | None
    before: str
    actor: Actor
    at: dt.datetime

    def done(self, code: str, fields: list[str], *, note: str = "", **data: Any) -> Wish:
        """Save the wish's changed `fields` and write the step's event."""
        self.wish.save(update_fields=fields)
        _event(
            self.wish,
            code,
            actor=self.actor,
            unit_id=self.unit_id,
            at=self.at,
            from_status=self.before,
            note=note,
            claim=self.claim,
            **data,
        )
        return self.wish


def _begin(name: str, wish: Wish, actor: Actor, at: dt.datetime) -> _Step:
    """Lock the wish (and its live claim), check `actor` may take action `name` now."""
    wish = _lock(wish)
    claim = _live_claim(wish) if wish.status in (S.CLAIMED, S.FULFILLED) else None
    unit_id = rules.check(name, actor, wish, claim)
    return _Step(wish, claim, unit_id, wish.status, actor, at)


def _event(
    wish: Wish,
    code: str,
    *,
    actor: Actor,
    unit_id: int | None,
    at: dt.datetime,
    from_status: str,
    note: str = "",
    claim: WishClaim | None = None,
    **data: Any,
) -> WishEvent:
    return WishEvent.objects.create(
        wish=wish,
        claim=claim,
        code=code,
        actor=_user(actor),
        actor_unit_id=unit_id,
        at=at,
        from_status=from_status,
        to_status=wish.status,
        note=note,
        data=data,
    )


def _text(value: str, field: str, label: Message, limit: int) -> str:
    value = clean_text(value)
    if not value:
        raise WorkflowError(f"{field}_required", _("请填写%(label)s。") % {"label": label})
    if len(value) > limit:
        raise WorkflowError(
            f"{field}_too_long",
            _("%(label)s不能超过%(n)d个字。") % {"label": label, "n": limit},
        )
    return value


def _photos(photos: "Iterable[File[Any]]", limit: int) -> list:
    photos = [photo for photo in photos if photo]
    if len(photos) > limit:
        raise WorkflowError("too_many_photos", _("最多上传%(n)d张照片。") % {"n": limit})
    return checked_photos(photos)


def _store_photos(wish: Wish, photos: list, stage: str, at: dt.datetime) -> None:
    for photo in photos:
        WishPhoto.objects.create(wish=wish, stage=stage, image=photo, uploaded_at=at)


def do_post_wish(
    *,
    actor: Actor,
    text: str,
    community: Unit | None = None,
    household: Household | None = None,
    wisher_name: str = "",
    wisher_phone: str = "",
    phone_verified: bool = False,
    photos: "Iterable[File[Any]]" = (),
    when: dt.datetime | None = None,
) -> Wish:
    """A new wish, waiting for its community's review.

    Two ways in: a resident on the residents' pages (signed in, or a visitor whose phone
    the page proved with a code: `phone_verified`), or a cadre recording it for a
    household he may record visits for (`household`; the wisher is its head)."""
    at = _now(when)
    user = _user(actor)
    text = _text(text, "text", _("心愿内容"), MAX_TEXT)
    if household is not None:
        held = registry_rules.capacities(
            user,
            community=household.community,
            grid_id=household.grid_id,
            pair_id=household.pair_id,
        )
        if not held & {"office", "community", "grid", "pair"}:
            raise WorkflowError("forbidden", _("您无权为该户登记微心愿。"))
        community = household.community
        source = Wish.Source.CADRE
        wisher_name = wisher_name or household.head_name
        wisher_phone = wisher_phone or household.phone
        wisher = None
    else:
        if user is not None and standing_of(user).staff:
            raise WorkflowError("household_required", _("工作人员代录微心愿，请从住户卡片登记。"))
        if user is None and not phone_verified:
            raise WorkflowError("phone_unverified", _("请先验证手机号，再提交心愿。"))
        source = Wish.Source.PORTAL
        wisher = user
    if community is None or community.kind != Unit.Kind.COMMUNITY:
        raise WorkflowError("community_required", _("请选择所在社区。"))
    wisher_name = clean_text(wisher_name, one_line=True)[:50]
    if not wisher_name:
        raise WorkflowError("name_required", _("请填写您的称呼。"))
    wisher_phone = (wisher_phone or "").strip().replace(" ", "")
    if wisher_phone and not PHONE_RE.match(wisher_phone):
        raise WorkflowError("invalid_phone", _("手机号格式不正确。"))
    if not wisher_phone and household is None:
        raise WorkflowError("invalid_phone", _("请填写手机号。"))
    checked = _photos(photos, MAX_WISH_PHOTOS)
    with transaction.atomic():
        wish = Wish.objects.create(
            community=community,
            household=household,
            source=source,
            wisher=wisher,
            wisher_name=wisher_name,
            wisher_phone=wisher_phone,
            text=text,
            status=S.PENDING,
            posted_at=at,
            recorded_by=user if household is not None else None,
        )
        _store_photos(wish, checked, WishPhoto.Stage.WISH, at)
        unit_id = community.pk if household is not None else None
        _event(wish, "programs.wish.posted", actor=actor, unit_id=unit_id, at=at, from_status="")
    return wish


def do_revise_wish(
    wish: Wish,
    *,
    actor: Actor,
    text: str,
    photos: "Iterable[File[Any]]" = (),
    when: dt.datetime | None = None,
) -> Wish:
    """The wisher (or his community) rewrites the wish as review asked; it goes back to
    review. A new photo replaces the old one."""
    at = _now(when)
    text = _text(text, "text", _("心愿内容"), MAX_TEXT)
    checked = _photos(photos, MAX_WISH_PHOTOS)
    with transaction.atomic():
        step = _begin("revise", wish, actor, at)
        step.wish.text, step.wish.status = text, S.PENDING
        if checked:
            step.wish.photos.filter(stage=WishPhoto.Stage.WISH).delete()
            _store_photos(step.wish, checked, WishPhoto.Stage.WISH, at)
        return step.done("programs.wish.revised", ["text", "status"])


def do_publish_wish(wish: Wish, *, actor: Actor, when: dt.datetime | None = None) -> Wish:
    at = _now(when)
    with transaction.atomic():
        step = _begin("publish", wish, actor, at)
        step.wish.status, step.wish.published_at, step.wish.review_note = S.PUBLISHED, at, ""
        return step.done("programs.wish.published", ["status", "published_at", "review_note"])


def do_request_wish_change(
    wish: Wish, *, actor: Actor, note: str, when: dt.datetime | None = None
) -> Wish:
    """Send the wish back to the wisher with what to change (a phone number in the text, a
    wish that is really a case, a wish too large)."""
    at = _now(when)
    note = _text(note, "note", _("修改意见"), MAX_NOTE)
    with transaction.atomic():
        step = _begin("request_change", wish, actor, at)
        step.wish.status, step.wish.review_note = S.CHANGES_REQUESTED, note
        return step.done("programs.wish.change_requested", ["status", "review_note"], note=note)


def do_decline_wish(
    wish: Wish, *, actor: Actor, reason: str, when: dt.datetime | None = None
) -> Wish:
    at = _now(when)
    reason = _text(reason, "reason", _("不予采纳的原因"), MAX_NOTE)
    with transaction.atomic():
        step = _begin("decline", wish, actor, at)
        step.wish.status, step.wish.review_note = S.DECLINED, reason
        return step.done("programs.wish.declined", ["status", "review_note"], note=reason)


def do_claim_wish(
    wish: Wish,
    *,
    actor: Actor,
    promised_date: dt.date,
    unit: Unit | None = None,
    partner=None,
    when: dt.datetime | None = None,
) -> WishClaim:
    """Claim a published wish for one of the claimer's units, promising a date. Exclusive:
    of two claimers at once, the second waits on the row lock and then finds it claimed.
    With `partner` (a `volunteers.PartnerUnit`), the wish's community claims it for that
    partner unit."""
    at = _now(when)
    today = local_date(at)
    if not isinstance(promised_date, dt.date) or promised_date < today:
        raise WorkflowError("invalid_date", _("承诺完成日期不能早于今天。"))
    if promised_date > today + dt.timedelta(days=MAX_PROMISE_DAYS):
        raise WorkflowError(
            "invalid_date",
            _("承诺完成日期不能晚于%(n)d天之后。") % {"n": MAX_PROMISE_DAYS},
        )
    with transaction.atomic():
        step = _begin("claim", wish, actor, at)
        claimer = _user(actor)
        assert claimer is not None  # the rule lets only signed-in staff claim
        if unit is not None:
            if unit.pk not in rules.claim_units(actor):
                raise WorkflowError("forbidden", _("只能以本人所在单位的名义认领。"))
            step.unit_id = unit.pk
        if partner is not None:
            step.unit_id = rules.partner_claim_unit(actor, step.wish, partner)
        try:
            with transaction.atomic():
                step.claim = WishClaim.objects.create(
                    wish=step.wish,
                    claimer=claimer,
                    unit_id=step.unit_id,
                    partner=partner,
                    claimed_at=at,
                    promised_date=promised_date,
                )
        except IntegrityError:  # the lock makes this unreachable; the constraint is the floor
            raise WorkflowError("already_claimed", _("该心愿已被认领。")) from None
        step.wish.status = S.CLAIMED
        extra = {"partner": partner.pk} if partner is not None else {}
        step.done(
            "programs.wish.claimed", ["status"], promised_date=promised_date.isoformat(), **extra
        )
        return step.claim


def do_release_wish_claim(
    wish: Wish, *, actor: Actor, reason: str, when: dt.datetime | None = None
) -> Wish:
    """The holder gives the wish up (or its community takes it back from him): it returns
    to the wall for someone else to claim. The claim stays in the claimer's history."""
    at = _now(when)
    reason = _text(reason, "reason", _("放弃原因"), MAX_NOTE)
    with transaction.atomic():
        step = _begin("release", wish, actor, at)
        claim = step.claim
        assert claim is not None  # the rule's status (claimed) has a live claim
        claim.released_at, claim.release_reason = at, reason
        claim.save(update_fields=["released_at", "release_reason"])
        step.wish.status = S.PUBLISHED
        return step.done("programs.wish.released", ["status"], note=reason)


def do_fulfil_wish(
    wish: Wish,
    *,
    actor: Actor,
    note: str,
    photos: "Iterable[File[Any]]" = (),
    when: dt.datetime | None = None,
) -> Wish:
    """The holder records what was done; the wisher (or his community) confirms it next."""
    at = _now(when)
    note = _text(note, "note", _("完成情况"), MAX_NOTE)
    checked = _photos(photos, MAX_FULFILMENT_PHOTOS)
    with transaction.atomic():
        step = _begin("fulfil", wish, actor, at)
        claim = step.claim
        assert claim is not None
        claim.fulfilled_at, claim.fulfilment_note = at, note
        claim.save(update_fields=["fulfilled_at", "fulfilment_note"])
        step.wish.status = S.FULFILLED
        _store_photos(step.wish, checked, WishPhoto.Stage.FULFILMENT, at)
        return step.done("programs.wish.fulfilled", ["status"], note=note, photos=len(checked))


def do_confirm_wish(wish: Wish, *, actor: Actor, when: dt.datetime | None = None) -> Wish:
    at = _now(when)
    with transaction.atomic():
        step = _begin("confirm", wish, actor, at)
        step.wish.status, step.wish.confirmed_at = S.CONFIRMED, at
        return step.done("programs.wish.confirmed", ["status", "confirmed_at"])


def do_dispute_wish(
    wish: Wish, *, actor: Actor, reason: str, when: dt.datetime | None = None
) -> Wish:
    """The wisher says it did not happen: the wish returns to its claimer, still his, with
    the same promised date (overdue if that has passed)."""
    at = _now(when)
    reason = _text(reason, "reason", _("未实现的情况"), MAX_NOTE)
    with transaction.atomic():
        step = _begin("dispute", wish, actor, at)
        claim = step.claim
        assert claim is not None
        claim.fulfilled_at = None
        claim.save(update_fields=["fulfilled_at"])
        step.wish.status = S.CLAIMED
        return step.done("programs.wish.disputed", ["status"], note=reason)


def do_record_overdue_claims(*, when: dt.datetime | None = None) -> int:
    """Mark each live claim whose promised date passed before fulfilment, once, with an
    event (the periodic scan calls this beside the cases' own)."""
    at = _now(when)
    with transaction.atomic():
        missed = list(
            WishClaim.objects.select_for_update()
            .filter(
                released_at__isnull=True,
                fulfilled_at__isnull=True,
                overdue_at__isnull=True,
                promised_date__lt=local_date(at),
            )
            .values("pk", "wish_id", "unit_id", "promised_date")
        )
        if not missed:
            return 0
        WishClaim.objects.filter(pk__in=[row["pk"] for row in missed]).update(overdue_at=at)
        WishEvent.objects.bulk_create(
            [
                WishEvent(
                    wish_id=row["wish_id"],
                    claim_id=row["pk"],
                    code="programs.wish.claim_overdue",
                    at=at,
                    from_status=S.CLAIMED,
                    to_status=S.CLAIMED,
                    data={"promised_date": row["promised_date"].isoformat()},
                )
                for row in missed
            ],
            batch_size=1000,
        )
    return len(missed)
