"""Submitting a concern without an account, with photos, and the page that follows."""

import shutil
import tempfile

from django.test import Client, override_settings
from django.urls import reverse

from lianxin.cases.models import Case, CaseEvent, Category, Channel, Status
from lianxin.cases.tests.images import image_bytes, upload
from lianxin.test import LianxinTestCase

MEDIA = tempfile.mkdtemp(prefix="lianxin-portal-test-")


def concern(**changes) -> dict:
    data = {
        "category": "",
        "title": "小区北门路灯不亮",
        "text": "福临苑小区北门的两盏路灯坏了快两周，晚上出入不方便。",
        "address": "福临苑小区北门",
        "latitude": "",
        "longitude": "",
        "name": "张建国",
        "phone": "13912345678",
        "token": "0123456789abcdef0123456789abcdef",
    }
    data.update(changes)
    return data


@override_settings(MEDIA_ROOT=MEDIA)
class SubmitTest(LianxinTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.addClassCleanup(shutil.rmtree, MEDIA, ignore_errors=True)

    url = reverse("portal:submit")

    def test_the_form_offers_not_sure_and_active_categories_grouped(self):
        Category.objects.create(
            code="old", name="已停用分类", parent=self.top_category, active=False
        )
        response = self.client.get(self.url)
        self.assertContains(response, "不确定")
        self.assertContains(response, '<optgroup label="城市管理">', html=False)
        self.assertContains(response, "路灯照明")
        self.assertNotContains(response, "已停用分类")
        self.assertContains(response, 'name="csrfmiddlewaretoken"')

    def test_a_visitor_submits_and_gets_the_tracking_number(self):
        response = self.client.post(
            self.url,
            {
                **concern(category=self.category.pk, latitude="36.0703", longitude="120.3826"),
                "photos": [upload("a.jpg"), upload("b.png", image_bytes("PNG"), "image/png")],
            },
        )
        case = Case.objects.get(title="小区北门路灯不亮")
        self.assertRedirects(response, reverse("portal:submitted", args=[case.pk]))
        self.assertEqual(case.channel, Channel.WEB)
        self.assertEqual(case.status, Status.REGISTERED)
        self.assertIsNone(case.resident)
        self.assertEqual(case.category, self.category)
        self.assertEqual(case.resident_phone, "13912345678")
        self.assertEqual(str(case.latitude), "36.070300")
        self.assertEqual(case.photos.count(), 2)

        page = self.client.get(response.url)
        self.assertContains(page, case.tracking_number)
        self.assertContains(page, "手机号后四位")
        self.assertContains(page, reverse("portal:case", args=[case.pk]))

    def test_text_pasted_from_word_is_stored_clean(self):
        self.client.post(
            self.url, concern(title="小区北门\x0b路灯不亮", text="路灯坏了\x0b快两周\x07。")
        )
        case = Case.objects.get()
        self.assertEqual((case.title, case.text), ("小区北门 路灯不亮", "路灯坏了\n快两周。"))

    def test_not_sure_leaves_the_category_to_staff(self):
        self.client.post(self.url, concern())
        self.assertIsNone(Case.objects.get().category)

    def test_a_double_submit_makes_one_case(self):
        first = self.client.post(self.url, concern())
        second = self.client.post(self.url, concern())
        self.assertEqual(Case.objects.count(), 1)
        self.assertEqual(first.url, second.url)

    def test_anonymous_keeps_the_phone_but_not_the_name(self):
        self.client.post(self.url, concern(anonymous="on"))
        case = Case.objects.get()
        self.assertTrue(case.anonymous)
        self.assertEqual(case.resident_name, "")
        self.assertEqual(case.resident_phone, "13912345678")

    def test_a_signed_in_resident_files_as_himself(self):
        self.client.force_login(self.resident)
        self.assertContains(self.client.get(self.url), 'value="13812341234"')
        self.client.post(self.url, concern(phone="13812341234"))
        case = Case.objects.get()
        self.assertEqual(case.resident, self.resident)
        self.assertIsNone(case.recorded_by)

    def test_staff_on_the_public_form_file_as_a_visitor(self):
        self.client.force_login(self.handler_a)
        self.client.post(self.url, concern())
        case = Case.objects.get()
        self.assertIsNone(case.resident)
        self.assertIsNone(case.recorded_by)

    def test_a_bad_photo_is_named_and_everything_typed_is_kept(self):
        response = self.client.post(
            self.url,
            {
                **concern(category=self.category.pk, anonymous="on"),
                "photos": [upload("ok.jpg"), upload("notes.jpg", b"just some text")],
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Case.objects.exists())
        self.assertContains(response, "文件“notes.jpg”不是JPEG、PNG或WebP格式的图片")
        self.assertContains(response, "请重新选择照片")
        self.assertContains(response, 'value="小区北门路灯不亮"')
        self.assertContains(response, "两盏路灯坏了快两周")
        self.assertContains(response, 'value="福临苑小区北门"')
        self.assertContains(response, 'value="13912345678"')
        self.assertContains(response, f'value="{self.category.pk}" selected')
        self.assertContains(response, 'name="anonymous" id="id_anonymous" checked')
        self.assertContains(response, 'value="0123456789abcdef0123456789abcdef"')

    def test_more_than_six_photos_are_refused(self):
        photos = [upload(f"{i}.jpg") for i in range(7)]
        response = self.client.post(self.url, {**concern(), "photos": photos})
        self.assertContains(response, "最多上传6张照片")
        self.assertFalse(Case.objects.exists())

    def test_missing_fields_are_said_in_chinese(self):
        response = self.client.post(self.url, concern(title="", address="", phone=""))
        self.assertContains(response, "请填写标题。")
        self.assertContains(response, "请填写问题发生的地址。")
        self.assertContains(response, "请填写手机号")
        self.assertFalse(Case.objects.exists())

    def test_the_workflows_refusal_shows_beside_its_field(self):
        response = self.client.post(self.url, concern(phone="12345", text="太短"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "请填写诉求内容（至少5个字）")
        self.assertContains(response, 'value="12345"')
        self.assertFalse(Case.objects.exists())

    def test_a_bad_map_pin_is_refused_and_cleared(self):
        response = self.client.post(self.url, concern(latitude="999", longitude="abc"))
        self.assertContains(response, "地图上的位置无效")  # more in lianxin/geo/tests
        self.assertFalse(Case.objects.exists())

    def test_a_registration_event_is_public(self):
        self.client.post(self.url, concern())
        event = CaseEvent.objects.get()
        self.assertTrue(event.public)
        self.assertIsNone(event.actor)

    def test_the_confirmation_is_only_for_the_session_that_submitted(self):
        self.client.post(self.url, concern())
        case = Case.objects.get()
        response = Client().get(reverse("portal:submitted", args=[case.pk]))
        self.assertEqual(response.status_code, 404)

    def test_wrong_method(self):
        self.assertEqual(self.client.put(self.url).status_code, 405)
        case = self.register()
        self.assertEqual(
            self.client.post(reverse("portal:submitted", args=[case.pk])).status_code, 405
        )

    def test_csrf_is_enforced(self):
        client = Client(enforce_csrf_checks=True)
        response = client.post(self.url, concern())
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Case.objects.exists())
