"""The place reader (jieba) is loaded in the background where that is cheap and safe."""

from unittest import mock

from django.core.signals import request_started
from django.test import TestCase, override_settings
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from lianxin.intel import apps, places
from lianxin.intel.classifier import load_jieba


@override_settings(INTEL_WARM_UP=True)  # the test settings turn it off elsewhere
class WarmUpTest(TestCase):
    def setUp(self):
        # As in a fresh process: no warm-up started yet, the hook waiting for a request.
        patch = mock.patch.object(places, "_warm_up_thread", None)
        patch.start()
        self.addCleanup(patch.stop)
        apps.connect_warm_up()
        self.addCleanup(request_started.disconnect, dispatch_uid=apps.WARM_UP_UID)

    def hooked(self) -> bool:
        return any(entry[0][0] == apps.WARM_UP_UID for entry in request_started.receivers)

    def test_the_first_request_loads_jieba_in_a_thread_once(self):
        self.assertTrue(self.hooked())
        self.client.get(reverse("login"))
        thread = places._warm_up_thread
        self.assertIsNotNone(thread)
        self.assertTrue(thread.daemon)
        thread.join(timeout=60)
        self.assertFalse(thread.is_alive())
        self.assertTrue(load_jieba().dt.initialized)
        # Once: the hook is gone and a second request starts nothing.
        self.assertFalse(self.hooked())
        self.client.get(reverse("login"))
        self.assertIs(places._warm_up_thread, thread)

    @override_settings(INTEL_WARM_UP=False)
    def test_a_setting_turns_it_off(self):
        self.client.get(reverse("login"))
        self.assertIsNone(places._warm_up_thread)
        self.assertFalse(self.hooked())

    def test_the_job_consumer_warms_up_when_it_starts(self):
        hook = HUEY._startup["warm_up_place_reader"]
        hook()  # what each worker of the consumer calls when it starts
        first = places._warm_up_thread
        self.assertIsNotNone(first)
        hook()  # the second worker thread
        self.assertIs(places._warm_up_thread, first)
        first.join(timeout=60)
        self.assertTrue(load_jieba().dt.initialized)

    def test_warm_up_leaves_nothing_in_the_cache_of_texts(self):
        places.extract_places.cache_clear()
        places.warm_up()
        self.assertEqual(places.extract_places.cache_info().currsize, 0)
