"""deploy/ agrees with the code: the environment template names every setting, nginx's
limits and internal locations match Django's, the units run what the docs say."""

import ast
import re
import runpy
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

ROOT = Path(settings.BASE_DIR)
DEPLOY = ROOT / "deploy"
READERS = {"getenv", "get", "envbool", "envint", "envlist"}


def variables_read_by_settings() -> set[str]:
    names = set()
    for node in ast.walk(ast.parse((ROOT / "lianxin" / "settings.py").read_text())):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if name in READERS and isinstance(first, ast.Constant) and str(first.value).isupper():
                names.add(first.value)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "environ"
        ):
            names.add(node.slice.value)
    return names


class DeployKitTest(SimpleTestCase):
    def test_the_environment_template_lists_every_setting(self):
        template = (DEPLOY / "lianxin.env").read_text()
        listed = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", template, re.M))
        read = variables_read_by_settings()
        self.assertGreater(len(read), 50)
        self.assertEqual(read - listed, set(), "add them to deploy/lianxin.env")

    def test_nginx_fits_django(self):
        site = (DEPLOY / "nginx.conf").read_text()
        size = re.search(r"client_max_body_size (\d+)m;", site)
        self.assertEqual(int(size.group(1)) * 1024 * 1024, settings.MAX_REQUEST_BYTES)
        env = (DEPLOY / "lianxin.env").read_text()
        prefix = re.search(r"^MEDIA_ACCEL_REDIRECT=(\S+)$", env, re.M).group(1)
        data_dir = re.search(r"^DATA_DIR=(\S+)$", env, re.M).group(1)
        for kind in ("media", "exports"):
            location = re.search(
                rf"location {re.escape(prefix)}{kind}/ \{{\s*internal;\s*alias {data_dir}/{kind}/;",
                site,
            )
            self.assertIsNotNone(location, kind)
        self.assertIn(f"alias {data_dir}/static/;", site)
        self.assertIn("proxy_set_header X-Forwarded-Proto $scheme;", site)
        self.assertIn("proxy_set_header X-Request-ID $request_id;", site)
        web = (DEPLOY / "lianxin-web.service").read_text()
        gunicorn = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
        socket = gunicorn["bind"].removeprefix("unix:")
        self.assertIn(f"server unix:{socket} ", site)
        self.assertTrue(socket.startswith("/run/lianxin-web/"))
        self.assertIn("RuntimeDirectory=lianxin-web", web)
        self.assertIn("mark_process_dead", (DEPLOY / "gunicorn.conf.py").read_text())

    def test_the_units_read_the_environment_and_run_the_two_processes(self):
        web = (DEPLOY / "lianxin-web.service").read_text()
        huey = (DEPLOY / "lianxin-huey.service").read_text()
        for unit in (web, huey):
            self.assertIn("EnvironmentFile=/etc/lianxin/lianxin.env", unit)
            self.assertIn("User=lianxin", unit)
        self.assertIn("gunicorn -c /opt/lianxin/deploy/gunicorn.conf.py lianxin.wsgi", web)
        self.assertIn("/opt/lianxin/.venv/bin/lianxin run_huey", huey)
        self.assertIn("KillSignal=SIGINT", huey)

    def test_lianxin_manage_reads_the_file_as_systemd_does(self):
        manage = runpy.run_path(str(DEPLOY / "lianxin-manage"), run_name="lianxin_manage")
        env = Path(self.enterContext(tempfile.TemporaryDirectory())) / "x.env"
        env.write_text(
            "# comment\nDEBUG=0\nMAP_TILE_ATTRIBUTION=© OpenStreetMap contributors\n"
            "SECRET_KEY='a=b c'\n#SITE_URL=https://x\n\n"
        )
        self.assertEqual(
            manage["read_env"](str(env)),
            {
                "DEBUG": "0",
                "MAP_TILE_ATTRIBUTION": "© OpenStreetMap contributors",
                "SECRET_KEY": "a=b c",
            },
        )
