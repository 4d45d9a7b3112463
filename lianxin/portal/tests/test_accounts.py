"""Residents' own accounts: sign up with a phone, sign in, see one's own cases."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lianxin.accounts.models import Membership, Role, User
from lianxin.test import LianxinTestCase


class SignupTest(LianxinTestCase):
    url = reverse("portal:signup")

    def test_a_resident_signs_up_with_his_phone_and_is_signed_in(self):
        response = self.client.post(
            self.url, {"phone": "139 1234 5678", "full_name": "张建国", "password": "lamp-post-42"}
        )
        self.assertRedirects(response, reverse("portal:mine"), fetch_redirect_response=False)
        user = User.objects.get(username="13912345678")
        self.assertEqual(user.phone, "13912345678")
        self.assertEqual(user.full_name, "张建国")
        self.assertTrue(user.check_password("lamp-post-42"))
        membership = Membership.objects.get(user=user)
        self.assertEqual((membership.role, membership.unit), (Role.RESIDENT, self.district))
        self.assertContains(self.client.get(reverse("portal:mine")), "注册成功")

    def test_a_phone_already_registered_is_refused(self):
        response = self.client.post(
            self.url, {"phone": "13812341234", "full_name": "冒名", "password": "lamp-post-42"}
        )
        self.assertContains(response, "该手机号已注册")
        self.assertEqual(User.objects.filter(full_name="冒名").count(), 0)

    def test_bad_input_is_said_in_chinese_and_kept(self):
        response = self.client.post(
            self.url, {"phone": "1391234", "full_name": "张建国", "password": "short"}
        )
        self.assertContains(response, "请填写11位手机号。")
        self.assertContains(response, "密码至少需要8位。")
        self.assertContains(response, 'value="张建国"')
        self.assertContains(response, 'value="1391234"')
        self.assertNotContains(response, 'value="short"')
        self.assertFalse(User.objects.filter(full_name="张建国").exists())

    def test_the_new_resident_signs_in_with_his_phone(self):
        self.client.post(
            self.url, {"phone": "13912345678", "full_name": "张建国", "password": "lamp-post-42"}
        )
        client = Client()
        response = client.post(
            reverse("portal:login"), {"username": "13912345678", "password": "lamp-post-42"}
        )
        self.assertRedirects(response, reverse("portal:mine"))

    def test_wrong_method(self):
        self.assertEqual(self.client.put(self.url).status_code, 405)

    def test_csrf_is_enforced(self):
        client = Client(enforce_csrf_checks=True)
        response = client.post(
            self.url, {"phone": "13912345678", "full_name": "张建国", "password": "lamp-post-42"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(User.objects.filter(username="13912345678").exists())


class MyCasesTest(LianxinTestCase):
    url = reverse("portal:mine")

    def test_sign_in_is_required(self):
        response = self.client.get(self.url)
        self.assertRedirects(response, reverse("portal:login") + "?next=" + self.url)

    def test_a_resident_sees_only_his_own_cases(self):
        mine = self.register(title="我家楼下井盖松动")
        theirs = self.register(title="别人家门口垃圾堆积", resident=self.other_resident)
        nobodys = self.register(title="无人认领的问题", resident=None)
        self.client.force_login(self.resident)
        response = self.client.get(self.url)
        self.assertContains(response, mine.title)
        self.assertContains(response, mine.tracking_number)
        self.assertNotContains(response, theirs.title)
        self.assertNotContains(response, nobodys.title)

    def test_staff_see_no_district_list_here(self):
        self.register()
        self.client.force_login(self.dispatcher)
        self.assertContains(self.client.get(self.url), "您还没有提交过诉求")

    def test_the_list_runs_the_same_queries_for_one_case_or_many(self):
        self.register()
        self.client.force_login(self.resident)
        self.client.get(self.url)  # warm the session
        with CaptureQueriesContext(connection) as one:
            self.client.get(self.url)
        for _ in range(5):
            self.register()
        with self.assertNumQueries(len(one.captured_queries)):
            self.client.get(self.url)

    def test_wrong_method(self):
        self.client.force_login(self.resident)
        self.assertEqual(self.client.post(self.url).status_code, 405)
