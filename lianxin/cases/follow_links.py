"""Signed follow links: the proof of a case that the resident's text messages carry.

A link names the case and is signed with `SECRET_KEY` (salted for this use only), so it
cannot be guessed the way four digits can; it expires `FOLLOW_LINK_DAYS` after the text
that carried it was written. Whoever opens it may follow and rate that case on /m/ as if
he had typed the tracking number and the phone's last four digits (docs/security.md).
"""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "lianxin.cases.follow-link"


def follow_token(case_id: int) -> str:
    # The case id in base 62 keeps the link short enough for a text message.
    return signing.TimestampSigner(salt=SALT).sign(signing.b62_encode(case_id))


def case_id_from_token(token: str) -> int | None:
    """The case the token names, or None when it is forged, mangled or expired."""
    max_age = dt.timedelta(days=settings.FOLLOW_LINK_DAYS)
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=max_age)
        return signing.b62_decode(value)
    except (signing.BadSignature, ValueError):
        return None


def follow_link(case_id: int) -> str:
    """The whole address for a text message."""
    return settings.SITE_URL + reverse("portal:follow_link", args=[follow_token(case_id)])
