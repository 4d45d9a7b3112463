"""Two-factor sign-in: a code from an authenticator app (TOTP, RFC 6238) after the password.

Administrators and the office's dispatchers see every resident's case, so a district
can require it of them (`DistrictSettings.two_factor_required`, off by default); any
member of staff may enrol of his own accord, and is then always asked. The password
signs the user in as usual, and `TwoFactorMiddleware` lets the session do nothing but
enrol or give the code until it has (`OTP_OK_KEY`), on every page and the admin site.
Wrong codes count against the same lock as wrong passwords (accounts/signin.py).
"""

import secrets
import time

import pyotp
import segno
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from lianxin.accounts.models import RecoveryCode, Role, TotpDevice, User
from lianxin.orgs.models import DistrictSettings

OTP_OK_KEY = "lianxin_2fa_ok"  # set once this session gave a code (or enrolled)
ENROLLING_KEY = "lianxin_2fa_enrolling"  # the secret shown on the enrolment page
ISSUER = "连心"
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # 32 letters, none read as another
# A code from the step before or after the current one is accepted: phones' clocks drift.
DRIFT_STEPS = 1
STRONG_ROLES = (Role.ADMIN, Role.DISPATCHER)


def two_factor_required(user: User) -> bool:
    """Whether the district requires a second factor of this user: administrators (the
    admin site's users included) and the office's dispatchers, when it is turned on."""
    if not DistrictSettings.load().two_factor_required:
        return False
    return user.is_staff or user.memberships.filter(role__in=STRONG_ROLES).exists()


def new_secret() -> str:
    return pyotp.random_base32()


def qr_code_svg(user: User, secret: str) -> str:
    """The enrolment QR code as a data: URI an <img> shows, drawn on the server."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_data_uri(scale=5)


def _matching_step(secret: str, code: str) -> int | None:
    """The time step whose code `code` is, within the allowed drift; None if none."""
    code = "".join((code or "").split())
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now = time.time()
    for offset in range(-DRIFT_STEPS, DRIFT_STEPS + 1):
        moment = now + offset * totp.interval
        if constant_time_compare(totp.at(moment), code):
            return int(moment // totp.interval)
    return None


def _recovery_hash(code: str) -> str:
    code = "".join((code or "").split()).replace("-", "").lower()
    return salted_hmac("lianxin.accounts.recovery", code, algorithm="sha256").hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))  # 50 bits
        codes.append(f"{raw[:5]}-{raw[5:]}")
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=_recovery_hash(code)) for code in codes
    )
    return codes


def do_enrol_totp(user: User, secret: str, code: str) -> list[str] | None:
    """Keep `secret` as the user's device once `code` shows his app has it; the new
    recovery codes to show him once, or None when the code is not right."""
    step = _matching_step(secret, code)
    if step is None:
        return None
    with transaction.atomic():
        TotpDevice.objects.update_or_create(
            user=user,
            defaults={"secret": secret, "created_at": timezone.now(), "last_step": step},
        )
        return _new_recovery_codes(user)


def do_check_second_factor(user: User, code: str) -> bool:
    """Whether `code` is the user's current app code (not used before) or one of his
    unused recovery codes, which it then spends."""
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            return False
        step = _matching_step(device.secret, code)
        if step is not None:
            if step <= device.last_step:
                return False  # replayed
            device.last_step = step
            device.save(update_fields=["last_step"])
            return True
        spent = RecoveryCode.objects.filter(
            user=user, code_hash=_recovery_hash(code), used_at__isnull=True
        ).update(used_at=timezone.now())
        return spent == 1


def has_device(user: User) -> bool:
    return TotpDevice.objects.filter(user=user).exists()


def second_factor_due(user: User) -> str:
    """What the user must do after his password: "verify" (give a code), "enrol" (set
    up an app first, since the district requires one of him), or "" (nothing)."""
    if has_device(user):
        return "verify"
    if two_factor_required(user):
        return "enrol"
    return ""
