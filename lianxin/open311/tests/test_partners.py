"""Partners in the admin: the key is shown once and only its hash is kept; the demo key."""

import re

from django.contrib.messages import get_messages

from lianxin.accounts.models import Membership, Role
from lianxin.cases.models import Case
from lianxin.open311.demo import DEMO_KEY, create_demo_partner
from lianxin.open311.models import Partner
from lianxin.open311.partners import hash_key
from lianxin.test import LianxinTestCase


class PartnerAdminTest(LianxinTestCase):
    def post_case(self, key):
        return self.client.post(
            "/open311/v2/requests.json",
            {
                "api_key": key,
                "service_code": "street_lights",
                "address_string": "福临苑",
                "description": "路灯不亮一周了",
            },
        )

    def test_admin_creates_a_partner_and_shows_its_key_once(self):
        self.client.force_login(self.admin)
        response = self.client.post(
            "/admin/open311/partner/add/",
            {
                "name": "随手拍",
                "channel": "partner",
                "categories": [self.category.pk],
                "active": "on",
                "contact": "张工 13900000000",
            },
        )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        partner = Partner.objects.get()
        messages = " ".join(str(m) for m in get_messages(response.wsgi_request))
        (key,) = re.findall(r"lx311_[\w-]+", messages)
        self.assertEqual(partner.key_hash, hash_key(key))
        self.assertNotIn(key, str(Partner.objects.values().get()))  # only the hash is stored
        self.assertEqual(list(partner.categories.all()), [self.category])
        user = partner.user
        self.assertFalse(user.is_active)
        self.assertFalse(user.has_usable_password())
        self.assertEqual(
            list(Membership.objects.filter(user=user).values_list("role", "unit")),
            [(Role.ADMIN, self.district.pk)],
        )
        self.client.logout()
        self.assertEqual(self.post_case(key).status_code, 200)
        # The change page never shows the key again.
        self.client.force_login(self.admin)
        page = self.client.get(f"/admin/open311/partner/{partner.pk}/change/").content.decode()
        self.assertNotIn(key, page)
        self.assertIn(partner.key_prefix, page)

    def test_admin_replaces_a_key(self):
        partner = create_demo_partner()
        self.client.force_login(self.admin)
        response = self.client.post(
            "/admin/open311/partner/",
            {"action": "replace_keys", "_selected_action": [partner.pk]},
        )
        self.assertEqual(response.status_code, 302)
        messages = " ".join(str(m) for m in get_messages(response.wsgi_request))
        (key,) = re.findall(r"lx311_[\w-]+", messages)
        self.client.logout()
        self.assertEqual(self.post_case(DEMO_KEY).status_code, 403)
        self.assertEqual(self.post_case(key).status_code, 200)

    def test_demo_partner_files_any_category(self):
        create_demo_partner()
        self.assertEqual(self.post_case(DEMO_KEY).status_code, 200)
        self.assertEqual(
            Case.objects.get().recorded_by.open311_partner.name, "演示合作方（随手拍App）"
        )
