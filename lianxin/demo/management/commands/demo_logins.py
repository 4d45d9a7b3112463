from django.core.management.base import BaseCommand

from lianxin.accounts.models import Membership, Role
from lianxin.demo.district import PASSWORD

SHOWN = [
    (Role.DISPATCHER, "office"),
    (Role.LEADER, "leader"),
    (Role.DEPT_HANDLER, "cgj"),
    (Role.DEPT_HEAD, "cgj-head"),
    (Role.STREET_STAFF, "st-wangchao"),
    (Role.COMMUNITY_STAFF, "cm-wangchao-fulin"),
    (Role.GRID_WORKER, "cm-wangchao-fulin-g1"),
    (Role.RESIDENT, "resident"),
    (Role.ADMIN, "admin"),
]


class Command(BaseCommand):
    help = "Print the demo district's logins, one for every role."

    def handle(self, *args, **options):
        self.stdout.write(f"Demo logins (password for all: {PASSWORD}):")
        for role, username in SHOWN:
            membership = (
                Membership.objects.filter(user__username=username, role=role)
                .select_related("user", "unit")
                .first()
            )
            if membership is None:
                continue
            self.stdout.write(
                f"  {Role(role).label:<8} {username:<22} {membership.user.full_name}"
                f" · {membership.unit.name}"
            )
        self.stdout.write(
            "  Every department has <code>, <code>-2 and <code>-head (e.g. zjj, zjj-head);"
            " every street, community and grid has a login named by its code."
        )
