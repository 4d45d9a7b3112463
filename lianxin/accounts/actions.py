"""Account actions: what creates or changes a user and his memberships."""

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Membership, Role, User
from lianxin.accounts.signin import clear_account_failures
from lianxin.errors import WorkflowError
from lianxin.orgs.models import Unit
from lianxin.text import clean_text


def do_register_resident(*, phone: str, full_name: str, password: str) -> User:
    """A resident's own account: the phone is the user name; a resident of the district."""
    taken = WorkflowError("phone_taken", _("该手机号已注册，请直接登录。"))
    if User.objects.filter(Q(username=phone) | Q(phone=phone)).exists():
        raise taken
    district = Unit.objects.get(kind=Unit.Kind.DISTRICT)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=phone,
                phone=phone,
                full_name=clean_text(full_name, one_line=True),
                password=password,
            )
            Membership.objects.create(user=user, unit=district, role=Role.RESIDENT)
    except IntegrityError:
        raise taken from None  # the same phone signed up a moment ago
    return user


def do_set_password(user: User, password: str) -> User:
    """A new password (already validated), after the owner proved himself another way.

    Django's session hash changes with it, so every other session of the account ends;
    the account's lock from wrong passwords is lifted, since its owner is back in."""
    user.set_password(password)
    user.save(update_fields=["password"])
    clear_account_failures(user.username)
    return user
