"""Identity-card numbers (身份证号): checked, encrypted at rest, shown masked.

The field exists only where a district turns it on (`DistrictSettings.id_numbers_enabled`).
Numbers are encrypted with Fernet (AES-128-CBC with an HMAC) under `FIELD_ENCRYPTION_KEY`,
or, where that is not set, a key derived from SECRET_KEY: rotating SECRET_KEY then makes
the stored numbers unreadable, which is why production sets its own key.
"""

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from lianxin.text import Message

# GB 11643-1999: the 17 digits' weights and the check character for each remainder mod 11.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


class BadIdNumber(ValueError):
    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


def check_character(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def clean(value: str) -> str:
    """The number in its one spelling (18 characters, capital X), or BadIdNumber."""
    number = (value or "").strip().replace(" ", "").upper().replace("Ｘ", "X")
    number = number.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        raise BadIdNumber(_("身份证号应为18位（最后一位可为X）。"))
    if check_character(number[:17]) != number[17]:
        raise BadIdNumber(_("身份证号校验位不正确，请核对。"))
    return number


def mask(number: str) -> str:
    """3702**********1234: the region's first four and the last four, as on a receipt."""
    if not number:
        return ""
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


@cache
def _fernet() -> Fernet:
    key = getattr(settings, "FIELD_ENCRYPTION_KEY", "")
    if not key:
        digest = hashlib.sha256(b"lianxin.registry.idnumbers:" + settings.SECRET_KEY.encode())
        key = base64.urlsafe_b64encode(digest.digest()).decode()
    return Fernet(key)


def encrypt(number: str) -> str:
    return _fernet().encrypt(number.encode()).decode() if number else ""


def decrypt(token: str) -> str:
    """The number, or "" if there is none or it was written under another key."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""
