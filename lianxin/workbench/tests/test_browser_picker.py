"""The unit pickers in a real browser: nothing chosen at first, a filter box, tags.

Screenshots go to test-artifacts/unit-picker/ for a person to look at.
"""

from lianxin.cases.models import Case, Status
from lianxin.test import BrowserTestCase


class UnitPickerInTheBrowserTest(BrowserTestCase):
    artifacts = "unit-picker"

    def open_form(self, case, action_label):
        office = self.person("dispatcher", "pw-dispatcher")
        office.goto(f"{self.live_server_url}/cases/{case.pk}/")
        office.click(f"details summary:text-is('{action_label}')")
        return office, office.locator("details[open] form")

    def test_a_dispatcher_filters_the_list_and_must_pick_a_unit(self):
        case = self.register()
        office, form = self.open_form(case, "派单")
        unit = form.locator("select[name=unit]")
        self.assertEqual(unit.input_value(), "")
        # Submitting without a unit is stopped by the browser, and nothing happens.
        form.locator("button[type=submit]").click()
        self.assertTrue(unit.evaluate("select => select.validity.valueMissing"))
        self.assertEqual(office.locator(".messages").count(), 0)  # never reached the server
        self.assertEqual(Case.objects.get(pk=case.pk).status, Status.REGISTERED)

        form.locator(".picker-filter").fill("交通")
        visible = unit.locator("option:not([hidden]):not([disabled])")
        self.assertEqual(visible.all_inner_texts(), ["区交通运输局"])
        self.snap(office, "dispatch-filtered")
        unit.select_option(str(self.dept_c.pk))
        unit.focus()  # as the person's click on the unit does, which also ends the warning bubble
        form.locator("button[type=submit]").click()
        office.wait_for_selector("text=已完成：派单")
        self.assertEqual(Case.objects.get(pk=case.pk).lead_unit, self.dept_c)

    def test_co_handlers_are_ticked_shown_as_tags_and_untick_from_the_tag(self):
        case = self.register()
        office, form = self.open_form(case, "分派多部门")
        form.locator("select[name=unit]").select_option(str(self.dept_a.pk))
        tags = form.locator(".unit-tags")
        tags.locator(".picker-filter").fill("dept-")  # by code, as a seat types
        tags.locator(f"input[value='{self.dept_b.pk}']").check()
        tags.locator(f"input[value='{self.dept_c.pk}']").check()
        self.assertEqual(
            tags.locator(".chosen-tags .tag").all_inner_texts(),
            ["区住房和城乡建设局 ×", "区交通运输局 ×"],
        )
        self.snap(office, "split-tags")
        tags.locator(".chosen-tags .tag", has_text="区交通运输局").click()
        self.assertFalse(tags.locator(f"input[value='{self.dept_c.pk}']").is_checked())
        form.locator("button[type=submit]").click()
        office.wait_for_selector("text=已完成：分派多部门")
        units = set(Case.objects.get(pk=case.pk).parts.values_list("unit", flat=True))
        self.assertEqual(units, {self.dept_a.pk, self.dept_b.pk})
