from io import StringIO
from unittest import mock

from django.test import SimpleTestCase

from lianxin.cli import main


class CommandLineTest(SimpleTestCase):
    def test_lianxin_runs_djangos_commands(self):
        out = StringIO()
        with mock.patch("sys.stdout", out):
            self.assertEqual(main(["help", "load_demo"]), 0)
        self.assertIn("Build the demo district", out.getvalue())
