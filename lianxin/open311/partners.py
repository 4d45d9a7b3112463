"""Partners' keys and the system user each partner acts through.

How a partner acts: creating a partner creates a system user for it (username
`open311-<id>`, no usable password, inactive, so nobody can sign in as it). The
workflow records that user as the one who registered the partner's cases
(`Case.recorded_by`) and as the actor of the partner's updates.

`do_register_case` takes a case on a non-self-service channel only from staff,
so the system user holds one membership: administrator at the district root.
That is the one role that counts as staff but gives no workflow capacity (the
rule table names none for administrators), so the partner cannot dispatch,
reply or close anything. The only extra right it has is the one every recorder
of a case has: adding a note to a case it recorded while the case is open
(`recorder` in `lianxin.cases.rules`), which is how its updates are kept.

Keys are random (32 bytes, URL-safe) and only their SHA-256 is stored, so a
lookup is one indexed query; a slow password hash would buy nothing against a
key this long and would cost every POST.
"""

import hashlib
import secrets

from django.db import transaction

from lianxin.accounts.models import Membership, Role, User
from lianxin.cache import memo
from lianxin.orgs.models import Unit

KEY_PREFIX_LENGTH = 8


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return "lx311_" + secrets.token_urlsafe(32)


def make_system_user(name: str) -> User:
    """The user a partner acts through: no password, inactive, administrator at the root."""
    district = Unit.objects.filter(kind=Unit.Kind.DISTRICT).order_by("pk").first()
    if district is None:
        raise ValueError("Create the district before its Open311 partners.")
    user = User(username=f"open311-{secrets.token_hex(6)}", full_name=f"{name}（Open311）")
    user.set_unusable_password()
    user.is_active = False
    user.save()
    Membership.objects.create(user=user, unit=district, role=Role.ADMIN)
    return user


def use_key(partner, key: str) -> None:
    partner.key_prefix, partner.key_hash = key[:KEY_PREFIX_LENGTH], hash_key(key)


@transaction.atomic
def create_partner(name: str, *, key: str | None = None, categories=(), **fields):
    """Create a partner and its system user; return (partner, key). The key is shown once."""
    from lianxin.open311.models import Partner

    key = key or new_key()
    partner = Partner(name=name, user=make_system_user(name), **fields)
    use_key(partner, key)
    partner.save()
    if categories:
        partner.categories.set(categories)
    return partner, key


def set_key(partner, key: str | None = None) -> str:
    """Give the partner a new key (the old one stops working at once); return it."""
    key = key or new_key()
    use_key(partner, key)
    partner.save(update_fields=["key_prefix", "key_hash"])  # forgets the old key here
    return key


def partner_for_key(key: str | None):
    """The active partner holding `key`, or None."""
    if not key:
        return None
    return partner_by_digest(hash_key(key))


# A partner (with its user and standing) is read once a minute per process, not per POST;
# wrong keys are not remembered: there is nothing to remember of them.
@memo(60, keep=lambda partner: partner is not None)
def partner_by_digest(digest: str):
    from lianxin.open311.models import Partner

    return Partner.objects.select_related("user").filter(key_hash=digest, active=True).first()
