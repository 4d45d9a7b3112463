import datetime as dt

import time_machine
from django.urls import reverse

from lianxin.test import LianxinTestCase
from lianxin.workdays.models import DayOverride


# Years the calendar package cannot know, whatever its release (see test_days).
@time_machine.travel(dt.datetime(2099, 11, 21, 10, tzinfo=dt.UTC), tick=False)
class CalendarWarningTest(LianxinTestCase):
    def setUp(self):
        self.client.force_login(self.admin)

    def test_administrators_are_warned_about_a_year_without_holidays(self):
        for url in (reverse("admin:index"), reverse("admin:workdays_dayoverride_changelist")):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, "尚无 2099 年的法定节假日数据")
                self.assertContains(response, "尚无 2100 年的法定节假日数据")

    def test_the_warning_goes_once_the_year_is_entered(self):
        DayOverride.objects.create(date=dt.date(2099, 10, 1), is_working_day=False, name="国庆节")
        DayOverride.objects.create(date=dt.date(2100, 1, 1), is_working_day=False, name="元旦")
        self.assertNotContains(self.client.get(reverse("admin:index")), "法定节假日数据")
