"""Screenshots of the staff pages of a running demo, for a person to look at.

    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000] [out-dir]

Signs in as several demo roles and saves PNGs of the case list, a case page
and the admin under test-artifacts/screens/ (not committed).
"""

import os
import sys
from pathlib import Path

import django
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianxin.settings")
django.setup()

from lianxin.test import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (needs django.setup())


def main() -> None:
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    out = Path(sys.argv[2] if len(sys.argv) > 2 else "test-artifacts/screens")
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for username, lang in (("office", "zh-hans"), ("cgj", "zh-hans"), ("leader", "en")):
            page = browser.new_page(
                viewport={"width": 1366, "height": 900},
                extra_http_headers={"Accept-Language": lang},
            )
            page.goto(f"{base}/login/")
            page.screenshot(path=out / f"{username}-login.png")
            page.fill("#id_username", username)
            page.fill("#id_password", "lianxin2026")
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            page.screenshot(path=out / f"{username}-inbox.png", full_page=True)
            page.goto(f"{base}/cases/")
            page.screenshot(path=out / f"{username}-cases.png", full_page=True)
            page.click("table.list tbody tr:first-child a")
            page.screenshot(path=out / f"{username}-case.png", full_page=True)
            page.goto(f"{base}/cases/?status=returned")
            page.screenshot(path=out / f"{username}-returned.png")
            page.close()
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(f"{base}/admin/login/")
        page.fill("#id_username", "admin")
        page.fill("#id_password", "lianxin2026")
        page.click("input[type=submit]")
        page.screenshot(path=out / "admin-index.png", full_page=True)
        page.goto(f"{base}/admin/workdays/dayoverride/")
        page.screenshot(path=out / "admin-holidays.png")
        page.goto(f"{base}/admin/cases/category/")
        page.screenshot(path=out / "admin-categories.png", full_page=True)
        browser.close()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main()
