"""The pages under the content security policy in Chromium, with DEBUG off (the live
server's): the workbench with htmx, the figures with ECharts and the maps with Leaflet
draw, and the browser reports no violation and no console error.
Screenshots go to test-artifacts/csp/."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from lianxin.test import BrowserTestCase

# Tiles from our own origin (any image will do), so that a tile that fails to load is not
# mistaken for, or hides, a refusal by the policy.
OWN_TILES = "/static/vendor/leaflet-1.9.4/images/layers.png?z={z}&x={x}&y={y}"


def console_errors(page) -> list[str]:
    """The page's errors and console errors (the browser's own favicon probe aside)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))

    def on_console(message):
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    return errors


WATCH_POLICY = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline") +
                           " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.mark.browser
@override_settings(MAP_TILE_URL=OWN_TILES)
class PagesUnderThePolicyTest(BrowserTestCase):
    artifacts = "csp"

    def watched(self, username):
        page = self.person(username, f"pw-{username}")
        page.add_init_script(WATCH_POLICY)
        self.errors = console_errors(page)
        return page

    def violations(self, page):
        return page.evaluate("window.__violations")

    def test_workbench_figures_and_maps_work_under_the_policy(self):
        self.assertFalse(settings.DEBUG)
        now = timezone.now()
        case = self.register(
            latitude=Decimal("36.1050"),
            longitude=Decimal("120.4050"),
            when=now - dt.timedelta(hours=2),
        )
        for i in range(6):
            done = self.through(
                [now - dt.timedelta(days=20 - i, hours=h) for h in (6, 5, 4, 3)],
                unit=[self.dept_a, self.dept_b][i % 2],
                until="replied",
            )
            done.latitude, done.longitude = Decimal("36.103"), Decimal(f"120.40{i}")
            done.save(update_fields=["latitude", "longitude"])

        office = self.watched("dispatcher")
        response = office.goto(self.live_server_url + "/")
        self.assertIn("script-src 'self'", response.headers["content-security-policy"])
        self.snap(office, "inbox")

        # The case page: htmx loads the duplicates panel, Leaflet draws the small map, and
        # dispatching swaps the page in place.
        office.goto(f"{self.live_server_url}/cases/{case.pk}/")
        office.wait_for_selector(".mini-map.leaflet-container")
        office.wait_for_selector(".mini-map img.leaflet-tile-loaded")
        office.wait_for_load_state("networkidle")
        office.click("details summary:text-is('派单')")
        form = office.locator("details[open] form")
        # A suggested category chooses its unit (static/js/lianxin.js, no inline handler).
        suggestion = form.locator("input[type=radio][data-unit]").first
        other = (
            self.dept_c
            if suggestion.get_attribute("data-unit") != str(self.dept_c.pk)
            else self.dept_b
        )
        form.locator("select[name=unit]").select_option(str(other.pk))
        form.locator("select[name=category_other]").select_option(index=1)
        self.assertTrue(form.locator("input[name=category][value=other]").is_checked())
        suggestion.check()
        self.assertEqual(
            form.locator("select[name=unit]").input_value(), suggestion.get_attribute("data-unit")
        )
        form.locator("select[name=unit]").select_option(str(self.dept_a.pk))
        form.locator("button[type=submit]").click()
        office.wait_for_selector(".status.s-dispatched")
        office.wait_for_selector(".mini-map.leaflet-container")
        self.snap(office, "case-after-dispatch")

        # The figures: ECharts draws, and its tooltip shows on hover.
        office.goto(self.live_server_url + "/figures/")
        office.wait_for_function(
            "() => document.querySelectorAll('#chart-trend svg path').length > 8"
        )
        # The tooltip is drawn into the SVG (dashboard.js): ECharts' HTML tooltips carry
        # style attributes, which the policy refuses.
        office.evaluate(
            """() => echarts.getInstanceByDom(document.getElementById("chart-trend"))
                .dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: 0})"""
        )
        # The series' names, once in the legend and again in the tooltip.
        office.wait_for_function(
            """() => Array.from(document.querySelectorAll("#chart-trend svg text"))
                .filter(t => t.textContent === "登记总量").length >= 2"""
        )
        self.snap(office, "figures")

        # The map: points, a popup, the grid view.
        office.goto(self.live_server_url + "/map/")
        office.wait_for_selector("#case-map[data-loaded]")
        office.wait_for_selector("#case-map img.leaflet-tile-loaded")
        box = office.locator("#case-map").bounding_box()
        point = office.evaluate(
            "() => LianxinGeo.maps[0].latLngToContainerPoint([36.105, 120.405])"
        )
        office.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
        office.locator(".leaflet-popup-content").wait_for()
        office.check("input[name=view][value=grids]")
        self.snap(office, "map")

        office.goto(self.live_server_url + "/admin/")
        office.wait_for_load_state()
        self.assertEqual(self.violations(office), [])

        self.assertEqual(self.errors, [])
        self.assertEqual(self.dialogs, [])

    def test_the_residents_pin_map_under_the_policy(self):
        context = self.browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        self.addCleanup(context.close)
        page = context.new_page()
        page.add_init_script(WATCH_POLICY)
        errors = console_errors(page)
        page.goto(self.live_server_url + "/m/")
        page.wait_for_selector("#pin-map.leaflet-container")
        self.snap(page, "resident-pin")
        self.assertEqual(self.violations(page), [])
        self.assertEqual(errors, [])
