"""Identity-card numbers: off unless the district turns them on; then checked, kept
encrypted, shown masked, and shown whole only to those who may see personal data, on
asking, with a line in the disclosure log."""

from django.test import SimpleTestCase
from django.urls import reverse

from lianxin.accounts.models import Disclosure
from lianxin.cases.rules import WorkflowError
from lianxin.orgs.models import DistrictSettings
from lianxin.registry import actions, idnumbers
from lianxin.registry.imports import import_registers
from lianxin.registry.models import Resident
from lianxin.registry.tests.test_import import xlsx
from lianxin.test import LianxinTestCase

# GB 11643-1999's own example, and a Qingdao (3702) number; their check characters were
# worked out by hand from the standard's weights: 11010519491231002X is printed in it.
STANDARD_EXAMPLE = "11010519491231002X"
WANG = "370202194803121232"
WANG_MASKED = "3702**********1232"
HEADERS = ["社区", "地址", "户主", "姓名", "与户主关系", "身份证号码"]


class IdNumberTest(SimpleTestCase):
    def test_the_check_character_of_the_standard(self):
        self.assertEqual(idnumbers.clean(STANDARD_EXAMPLE), STANDARD_EXAMPLE)
        self.assertEqual(idnumbers.clean(" 11010519491231002x "), STANDARD_EXAMPLE)
        self.assertEqual(idnumbers.clean("３７０２０２１９４８０３１２１２３２"), WANG)

    def test_wrong_numbers_are_refused_in_chinese(self):
        cases = {
            "370202194803121231": "校验位不正确",  # one digit off
            "37020219480312123": "应为18位",
            "37020219480312123Y": "应为18位",
            "": "应为18位",
        }
        for number, reason in cases.items():
            with self.subTest(number):
                with self.assertRaises(idnumbers.BadIdNumber) as refused:
                    idnumbers.clean(number)
                self.assertIn(reason, str(refused.exception.message))

    def test_masked_as_on_a_receipt(self):
        self.assertEqual(idnumbers.mask(WANG), WANG_MASKED)
        self.assertEqual(idnumbers.mask(""), "")

    def test_stored_encrypted_and_read_back(self):
        token = idnumbers.encrypt(WANG)
        self.assertNotIn("1232", token)
        self.assertNotEqual(token, idnumbers.encrypt(WANG), "a fresh token each time")
        self.assertEqual(idnumbers.decrypt(token), WANG)
        self.assertEqual(idnumbers.decrypt("not a token"), "")


class IdNumbersInTheRegistersTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)

    def switch(self, on: bool):
        config = DistrictSettings.load()
        config.id_numbers_enabled = on
        config.save()

    def save_wang(self, id_number):
        return actions.do_save_household(
            actor=self.dispatcher,
            community=self.community,
            grid=self.grid,
            address="福临苑3号楼2单元301室",
            head_name="王秀兰",
            phone="13812341234",
            member_count=2,
            residents=[
                {"name": "王秀兰", "relation": "head", "tags": ["dibao"], "id_number": id_number},
                {"name": "赵国强", "relation": "spouse", "tags": ["lao_junren"]},
            ],
        )

    def test_refused_while_the_district_has_not_turned_the_field_on(self):
        with self.assertRaises(WorkflowError) as refused:
            self.save_wang(WANG)
        self.assertIn("本区未开启身份证号登记", str(refused.exception.message))
        self.assertFalse(Resident.objects.exclude(id_number_encrypted="").exists())

    def test_kept_encrypted_and_saving_it_again_changes_nothing(self):
        self.switch(True)
        self.assertEqual(self.save_wang(WANG).outcome, "updated")
        stored = Resident.objects.get(name="王秀兰").id_number_encrypted
        self.assertNotIn(WANG[-4:], stored)
        self.assertEqual(idnumbers.decrypt(stored), WANG)
        self.assertEqual(self.save_wang(WANG).outcome, "unchanged")
        self.assertEqual(self.save_wang("").outcome, "unchanged", "a list without it keeps it")
        with self.assertRaises(WorkflowError) as refused:
            self.save_wang("370202194803121231")
        self.assertIn("王秀兰的身份证号有误", str(refused.exception.message))

    def test_the_card_shows_it_masked_and_whole_only_on_asking_to_those_who_may(self):
        self.switch(True)
        self.save_wang(WANG)
        url = reverse("registry:household", args=[self.household.pk])
        self.client.force_login(self.community_staff)
        page = self.client.get(url)
        self.assertContains(page, WANG_MASKED)
        self.assertNotContains(page, WANG)
        self.assertFalse(Disclosure.objects.filter(fields="id_number").exists())
        page = self.client.get(url, {"show": "id_numbers"})
        self.assertContains(page, WANG)
        disclosure = Disclosure.objects.get(fields="id_number")
        self.assertEqual(disclosure.user, self.community_staff)
        # A department attached to the 片区 sees the household, never the number whole.
        self.client.force_login(self.handler_a)
        page = self.client.get(url, {"show": "id_numbers"})
        self.assertContains(page, WANG_MASKED)
        self.assertNotContains(page, WANG)
        self.assertNotContains(page, "显示完整身份证号")
        self.assertEqual(Disclosure.objects.filter(fields="id_number").count(), 1)

    def test_no_column_at_all_while_off(self):
        self.client.force_login(self.community_staff)
        page = self.client.get(reverse("registry:household", args=[self.household.pk]))
        self.assertNotContains(page, "身份证号")

    def test_imported_under_its_usual_headers_when_on(self):
        rows = [
            ["c1", "福临苑6号楼1单元101室", "孙立", "孙立", "户主", STANDARD_EXAMPLE],
            ["c1", "福临苑6号楼1单元102室", "钱多", "钱多", "户主", "11010519491231002"],
        ]
        self.switch(True)
        report = import_registers("households", xlsx(HEADERS, rows), actor=self.dispatcher)
        errors = {r.row: r.message for r in report.errors}
        self.assertEqual(list(errors), [3])
        self.assertIn("钱多的身份证号有误：身份证号应为18位", errors[3])
        sun = Resident.objects.get(name="孙立")
        self.assertEqual(idnumbers.decrypt(sun.id_number_encrypted), STANDARD_EXAMPLE)
        again = import_registers("households", xlsx(HEADERS, rows[:1]), actor=self.dispatcher)
        self.assertEqual(again.summary()["unchanged"], 1)

    def test_an_import_with_numbers_is_refused_row_by_row_while_off(self):
        rows = [["c1", "福临苑6号楼1单元101室", "孙立", "孙立", "户主", STANDARD_EXAMPLE]]
        report = import_registers("households", xlsx(HEADERS, rows), actor=self.dispatcher)
        self.assertEqual(report.summary()["errors"], 1)
        self.assertIn("本区未开启身份证号登记", report.errors[0].message)
