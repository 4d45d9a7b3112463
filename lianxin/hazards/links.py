"""Signed links for the party without an account: the enterprise's self-check of one
campaign, and the fix report of one notice.

Like the cases' follow links (`lianxin/cases/follow_links.py`): the ids signed with
`SECRET_KEY`, salted for this use only, so they cannot be guessed; a link lasts
`LINK_DAYS` after it was made (a campaign's period, a notice's deadline, with room).
"""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.urls import reverse

SELF_CHECK_SALT = "lianxin.hazards.self-check"
FIX_SALT = "lianxin.hazards.fix-report"
LINK_DAYS = 120


def _sign(salt: str, *ids: int) -> str:
    return signing.TimestampSigner(salt=salt).sign(".".join(signing.b62_encode(i) for i in ids))


def _unsign(salt: str, token: str, count: int) -> list[int] | None:
    try:
        value = signing.TimestampSigner(salt=salt).unsign(
            token, max_age=dt.timedelta(days=LINK_DAYS)
        )
        ids = [signing.b62_decode(part) for part in value.split(".")]
    except (signing.BadSignature, ValueError):
        return None
    return ids if len(ids) == count else None


def self_check_token(campaign_id: int, place_id: int) -> str:
    return _sign(SELF_CHECK_SALT, campaign_id, place_id)


def self_check_ids(token: str) -> tuple[int, int] | None:
    """(campaign id, place id) the token names, or None when forged, mangled or expired."""
    ids = _unsign(SELF_CHECK_SALT, token, 2)
    return (ids[0], ids[1]) if ids else None


def fix_token(notice_id: int) -> str:
    return _sign(FIX_SALT, notice_id)


def notice_id_from_token(token: str) -> int | None:
    ids = _unsign(FIX_SALT, token, 1)
    return ids[0] if ids else None


def self_check_link(campaign_id: int, place_id: int) -> str:
    return settings.SITE_URL + reverse(
        "hazards:self_check", args=[self_check_token(campaign_id, place_id)]
    )


def fix_link(notice_id: int) -> str:
    return settings.SITE_URL + reverse("hazards:fix_report", args=[fix_token(notice_id)])
