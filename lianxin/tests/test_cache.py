"""Per-process memos: kept for their period, per key, cleared by a save or by clear_all()."""

from django.test import SimpleTestCase, TestCase

from lianxin.cache import Memo, clear_all, memo
from lianxin.open311.partners import partner_by_digest
from lianxin.orgs.models import DistrictSettings, _load_settings
from lianxin.webhooks.models import Subscription
from lianxin.webhooks.sending import wanted_codes
from lianxin.workdays.days import overrides


class Counter:
    def __init__(self):
        self.calls = []

    def __call__(self, *key):
        self.calls.append(key)
        return len(self.calls)


class MemoTest(SimpleTestCase):
    def test_a_value_is_loaded_once_per_key_within_its_period(self):
        load = Counter()
        remembered = Memo(load, 60)
        self.assertEqual([remembered("a"), remembered("a"), remembered("b")], [1, 1, 2])
        self.assertEqual(load.calls, [("a",), ("b",)])

    def test_a_value_past_its_period_is_loaded_again(self):
        load = Counter()
        remembered = Memo(load, 0)
        self.assertEqual([remembered(), remembered()], [1, 2])

    def test_values_not_worth_keeping_are_loaded_every_time(self):
        load = Counter()
        remembered = Memo(load, 60, keep=lambda value: value > 1)
        self.assertEqual([remembered(), remembered(), remembered()], [1, 2, 2])

    def test_clear_and_clear_all_forget(self):
        load = Counter()
        remembered = memo(60)(load)
        remembered()
        remembered.clear(sender=None, instance=None)  # a signal's arguments are accepted
        remembered()
        clear_all()
        self.assertEqual(remembered(), 3)

    def test_the_decorated_loader_keeps_its_name(self):
        self.assertEqual(wanted_codes.__name__, "wanted_codes")


class EveryMemoIsClearedBetweenTestsTest(TestCase):
    def test_the_platforms_memos_are_all_known_to_clear_all(self):
        from lianxin.cache import _memos

        for each in (overrides, _load_settings, partner_by_digest, wanted_codes):
            self.assertIn(each, _memos)

    def test_webhooks_see_a_subscription_written_without_a_signal_after_clear_all(self):
        self.assertEqual(wanted_codes(), frozenset())
        Subscription.objects.bulk_create(
            [Subscription(name="区大数据局", url="https://example.cn/hook", events=["x.y"])]
        )
        self.assertEqual(wanted_codes(), frozenset())  # remembered for its minute
        clear_all()
        self.assertEqual(wanted_codes(), frozenset({"x.y"}))

    def test_saving_the_settings_forgets_them_in_this_process(self):
        settings = DistrictSettings.load()
        DistrictSettings.objects.filter(pk=1).update(ranking_min_cases=7)
        self.assertIs(DistrictSettings.load(), settings)
        settings.ranking_min_cases = 9
        settings.save()
        self.assertEqual(DistrictSettings.load().ranking_min_cases, 9)
