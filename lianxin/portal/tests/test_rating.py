"""The resident rates a verified case: signed in as its resident, or having proved it on
/m/ (the signed link in his text, or the tracking number and the last four digits)."""

from django.test import Client
from django.urls import reverse

from lianxin.cases.models import ReturnVisit, Status
from lianxin.test import LianxinTestCase


class RatingTest(LianxinTestCase):
    def rate(self, case, client=None, **data):
        values = {"satisfaction": "satisfied", "solved": "yes", "comment": ""}
        values.update(data)
        return (client or self.client).post(reverse("portal:rate", args=[case.pk]), values)

    def test_the_owner_sees_the_rating_form_on_a_verified_case(self):
        case = self.verified()
        self.client.force_login(self.resident)
        page = self.client.get(reverse("portal:case", args=[case.pk]))
        self.assertContains(page, "基本满意")
        self.assertContains(page, reverse("portal:rate", args=[case.pk]))

    def test_a_visitor_with_the_digits_rates_without_signing_in(self):
        case = self.verified()
        self.client.post(
            reverse("portal:follow"),
            {"tracking_number": case.tracking_number, "phone_last4": "1234"},
        )
        page = self.client.get(reverse("portal:case", args=[case.pk]))
        self.assertNotContains(page, "请登录后评价")
        self.assertContains(page, reverse("portal:rate", args=[case.pk]))
        self.rate(case, satisfaction="basically")
        case = self.reload(case)
        self.assertEqual(case.status, Status.CLOSED)
        visit = ReturnVisit.objects.get(case=case)
        self.assertEqual((visit.method, visit.recorded_by), (ReturnVisit.Method.SELF, None))

    def test_a_visitor_who_only_filed_the_case_cannot_rate_it(self):
        case = self.verified()
        session = self.client.session
        session["portal_cases"] = [case.pk]  # what submitting leaves in the session
        session.save()
        page = self.client.get(reverse("portal:case", args=[case.pk]))
        self.assertNotContains(page, reverse("portal:rate", args=[case.pk]))
        self.assertEqual(self.rate(case).status_code, 404)
        self.assertEqual(self.reload(case).status, Status.VERIFIED)

    def test_a_stranger_cannot_rate(self):
        case = self.verified()
        self.assertEqual(self.rate(case).status_code, 404)
        self.assertEqual(self.reload(case).status, Status.VERIFIED)

    def test_satisfied_closes_the_case(self):
        case = self.verified()
        self.client.force_login(self.resident)
        response = self.rate(case, comment="修得很快，谢谢。")
        self.assertRedirects(
            response, reverse("portal:case", args=[case.pk]), fetch_redirect_response=False
        )
        case = self.reload(case)
        self.assertEqual(case.status, Status.CLOSED)
        visit = ReturnVisit.objects.get(case=case)
        self.assertEqual(visit.method, ReturnVisit.Method.SELF)
        self.assertTrue(visit.solved)
        page = self.client.get(response.url)
        self.assertContains(page, "感谢您的评价")
        self.assertContains(page, "修得很快，谢谢。")

    def test_not_satisfied_reopens_the_case(self):
        case = self.verified()
        self.client.force_login(self.resident)
        self.rate(case, satisfaction="unsatisfied", solved="no", comment="另一盏还是不亮。")
        case = self.reload(case)
        self.assertEqual(case.status, Status.IN_PROGRESS)
        self.assertEqual(case.reopen_count, 1)
        self.assertFalse(case.solved)

    def test_not_satisfied_without_a_reason_keeps_the_choices(self):
        case = self.verified()
        self.client.force_login(self.resident)
        response = self.rate(case, satisfaction="unsatisfied", solved="no")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "请填写不满意的原因")
        self.assertRegex(response.content.decode(), r'value="unsatisfied"[^>]*checked')
        self.assertRegex(response.content.decode(), r'value="no"[^>]*checked')
        self.assertEqual(self.reload(case).status, Status.VERIFIED)

    def test_rating_someone_elses_case_is_404_and_changes_nothing(self):
        case = self.verified()
        self.client.force_login(self.other_resident)
        self.assertEqual(self.rate(case).status_code, 404)
        self.assertEqual(self.reload(case).status, Status.VERIFIED)
        self.assertFalse(ReturnVisit.objects.exists())

    def test_staff_cannot_rate_through_the_residents_page(self):
        case = self.verified()
        self.client.force_login(self.dispatcher)
        self.assertEqual(self.rate(case).status_code, 404)
        self.assertEqual(self.reload(case).status, Status.VERIFIED)

    def test_a_case_not_yet_verified_cannot_be_rated(self):
        case = self.resolved()
        self.client.force_login(self.resident)
        response = self.rate(case)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.reload(case).status, Status.RESOLVED)
        self.assertFalse(ReturnVisit.objects.exists())

    def test_wrong_method(self):
        case = self.verified()
        self.client.force_login(self.resident)
        self.assertEqual(self.client.get(reverse("portal:rate", args=[case.pk])).status_code, 405)

    def test_csrf_is_enforced(self):
        case = self.verified()
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.resident)
        self.assertEqual(self.rate(case, client=client).status_code, 403)
        self.assertEqual(self.reload(case).status, Status.VERIFIED)
