"""Verifying a phone with a one-time code before any text about a case goes to it.

1. `do_send_phone_code` refuses a phone asked for too often (one code a minute, a few a
   day) or from an address asking too often, then stores a keyed hash of a fresh code
   and texts the code, which is the only thing the text says.
2. `do_check_phone_code` counts a try on the phone's latest live code, and marks it
   verified when the code matches; too many wrong tries spend the code.
A signed-in resident who verifies his account's phone keeps it verified
(`account_phone_verified`); a visitor's proof lasts for his session (the portal).
3. A forgotten password is reset with a code to the account's phone
   (`do_send_reset_code`, `do_reset_password`), with the same limits, never telling
   whether a phone has an account.
"""

import datetime as dt
import hmac
import re
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.actions import do_set_password
from lianxin.accounts.models import User
from lianxin.cases.rules import WorkflowError
from lianxin.notify.models import MessageTemplate, PhoneCode
from lianxin.notify.outbox import queue_messages
from lianxin.notify.routing import Planned
from lianxin.notify.tasks import send_messages
from lianxin.ratelimit import DAY, Limit

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def _limits() -> dict[str, Limit]:
    # Read at call time, so that settings overridden in a test or by the operator apply.
    return {
        "interval": Limit("code-interval", 1, settings.PHONE_CODE_INTERVAL_SECONDS),
        "phone": Limit("code-phone", settings.PHONE_CODES_PER_PHONE, DAY),
        "address": Limit("code-address", settings.PHONE_CODES_PER_ADDRESS, DAY),
    }


def _hash(phone: str, code: str) -> str:
    return salted_hmac("lianxin.notify.verify", f"{phone}:{code}", algorithm="sha256").hexdigest()


def _count_code_request(phone: str, client: str) -> str:
    """The phone, cleaned, once the request for a code to it is within the limits and
    counted against them; WorkflowError (in Chinese) when a code may not be sent."""
    phone = re.sub(r"\s", "", phone or "")
    if not MOBILE_RE.match(phone):
        raise WorkflowError("invalid_phone", _("请填写11位手机号。"))
    if not MessageTemplate.objects.filter(code="resident.code", active=True).exists():
        # Switched off in the admin: say so, rather than promise a text that never comes.
        raise WorkflowError("code_unavailable", _("暂时无法发送验证码，请稍后再试。"))
    limits = _limits()
    if limits["interval"].exceeded(phone):
        raise WorkflowError("code_too_soon", _("验证码已发送，请稍后再试。"))
    if not (limits["phone"].hit(phone) and limits["address"].hit(client)):
        raise WorkflowError("code_limited", _("今天获取验证码的次数已达上限，请明天再试。"))
    limits["interval"].hit(phone)
    return phone


def do_send_phone_code(phone: str, *, client: str, user=None) -> PhoneCode:
    """Text a fresh code to `phone`; WorkflowError (in Chinese) when it may not be sent."""
    phone = _count_code_request(phone, client)
    return _send_code(phone, user=user)


def _send_code(phone: str, *, user) -> PhoneCode:
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    minutes = settings.PHONE_CODE_MINUTES
    with transaction.atomic():
        sent = PhoneCode.objects.create(
            phone=phone,
            code_hash=_hash(phone, code),
            user=user if user is not None and user.is_authenticated else None,
            created_at=now,
            expires_at=now + dt.timedelta(minutes=minutes),
        )
        ids = queue_messages(
            [
                Planned(
                    kind="resident.code",
                    phone=phone,
                    dedupe_key=f"code:{sent.pk}",
                    values={"code": code, "minutes": str(minutes)},
                )
            ]
        )
        if ids:
            transaction.on_commit(lambda: send_messages(ids))
    return sent


def do_check_phone_code(phone: str, code: str, *, user=None) -> PhoneCode:
    """The phone's latest live code, now verified; WorkflowError when `code` is not it."""
    phone = re.sub(r"\s", "", phone or "")
    now = timezone.now()
    with transaction.atomic():
        sent = (
            PhoneCode.objects.select_for_update()
            .filter(phone=phone, verified_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at", "-pk")
            .first()
        )
        if sent is None:
            raise WorkflowError("code_expired", _("验证码已失效，请重新获取。"))
        if sent.attempts >= settings.PHONE_CODE_ATTEMPTS:
            raise WorkflowError("code_spent", _("验证码输错次数过多，请重新获取。"))
        # The try is counted and committed before the answer, right or wrong.
        sent.attempts += 1
        matches = hmac.compare_digest(sent.code_hash, _hash(phone, (code or "").strip()))
        if matches:
            sent.verified_at = now
            if user is not None and user.is_authenticated:
                sent.user = user
        sent.save(update_fields=["attempts", "verified_at", "user"])
    if not matches:
        raise WorkflowError("code_wrong", _("验证码不正确，请核对短信中的6位数字。"))
    return sent


def account_phone_verified(user, phone: str) -> bool:
    """Whether signed-in `user` once proved `phone`, his account's phone, with a code."""
    if user is None or not user.is_authenticated or not phone or user.phone != phone:
        return False
    return PhoneCode.objects.filter(user=user, phone=phone, verified_at__isnull=False).exists()


def do_send_reset_code(phone: str, *, client: str) -> None:
    """Text a code for a password reset to `phone` if an active account has it.

    Whether it has one is never told: a phone without an account is counted against the
    same limits and answered the same, and only no text goes out."""
    phone = _count_code_request(phone, client)
    if User.objects.filter(phone=phone, is_active=True).exists():
        _send_code(phone, user=None)


def do_reset_password(phone: str, code: str, password: str) -> User:
    """Set the password of the account with `phone` once `code` proves the phone.

    WorkflowError `reset_failed` for every failure of the code or the account, one
    message for all, so that the page says nothing about whether the phone has one."""
    failed = WorkflowError("reset_failed", _("验证码不正确或已失效，请核对短信或重新获取。"))
    phone = re.sub(r"\s", "", phone or "")
    user = User.objects.filter(phone=phone, is_active=True).first()
    if user is None:
        raise failed
    try:
        do_check_phone_code(phone, code, user=user)
    except WorkflowError:
        raise failed from None
    return do_set_password(user, password)
