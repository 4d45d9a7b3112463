"""The maps in a real browser, with the tile server unreachable: points, legend, the grid
view, popups that keep markup as text, the case page's small map and the residents' pin.
Screenshots go to test-artifacts/geo/."""

from decimal import Decimal

import pytest
from django.test import override_settings

from lianxin.cases import actions
from lianxin.cases.models import Case
from lianxin.geo.tessellation import Lattice, polygon
from lianxin.test import AXE_URL, RUN_AXE, BrowserTestCase, at

XSS_TITLE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>井盖松动'
NO_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"  # a port nothing listens on


class Still:
    def uniform(self, a, b):
        return 0.0


def outline(south, west, size=0.01) -> dict:
    return polygon(Lattice.over((south, west, south + size, west + size), 1, 1, Still()).ring(0, 0))


@pytest.mark.browser
@override_settings(MAP_TILE_URL=NO_TILES)
class MapInTheBrowserTest(BrowserTestCase):
    artifacts = "geo"

    def setUp(self):
        super().setUp()
        self.grid.boundary = outline(36.10, 120.40)
        self.grid.save(update_fields=["boundary"])
        self.other_grid.boundary = outline(36.10, 120.41)
        self.other_grid.save(update_fields=["boundary"])
        self.district.latitude, self.district.longitude = Decimal("36.105"), Decimal("120.41")
        self.district.save(update_fields=["latitude", "longitude"])

    def watch(self, page):
        self.errors = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page

    def screen_point(self, page, lat, lon, index=0):
        """Where on the page the map draws (lat, lon)."""
        box = page.locator(".leaflet-container").nth(index).bounding_box()
        point = page.evaluate(
            "([i, lat, lon]) => LianxinGeo.maps[i].latLngToContainerPoint([lat, lon])",
            [index, lat, lon],
        )
        return box["x"] + point["x"], box["y"] + point["y"]

    def test_the_case_map_shows_points_grids_and_a_legend_without_tiles(self):
        xss = actions.do_register_case(
            actor=self.grid_worker,
            channel="patrol",
            title=XSS_TITLE,
            text="井盖一踩就响，晚上很危险。",
            address="福临苑小区北门",
            grid=self.grid,
            latitude=Decimal("36.1050"),
            longitude=Decimal("120.4050"),
            when=at(2026, 6, 15),  # due in 7 working days: not late on the test's 17 June
        )
        late = actions.do_register_case(
            actor=self.grid_worker,
            channel="patrol",
            title="路灯不亮两周",
            text="福临苑3号楼门口的路灯坏了两周。",
            address="福临苑3号楼",
            grid=self.grid,
            latitude=Decimal("36.1030"),
            longitude=Decimal("120.4030"),
            when=at(2026, 5, 6),  # past its reply deadline on the test's 17 June
        )
        actions.do_dispatch_case(late, actor=self.dispatcher, unit=self.dept_b)
        actions.do_register_case(
            actor=self.other_grid_worker,
            channel="patrol",
            title="青峰路积水",
            text="青峰路雨后积水严重，行人无法通过。",
            address="青峰路12号",
            grid=self.other_grid,
            latitude=Decimal("36.1060"),
            longitude=Decimal("120.4160"),
            when=at(2026, 6, 15),
        )

        office = self.watch(self.person("dispatcher", "pw-dispatcher"))
        office.goto(self.live_server_url + "/map/")
        office.wait_for_selector("#case-map[data-loaded]")
        self.assertIn("3件", office.inner_text("#map-status"))
        office.wait_for_selector(".map-notice")  # the tiles failed, and the map says so
        self.assertIn("底图无法加载", office.inner_text(".map-notice"))
        legend = office.inner_text(".map-legend")
        self.assertIn("已逾期", legend)
        self.assertIn("待派单", legend)
        self.snap(office, "map-points-no-tiles")

        # A point's popup: the title as text, a link to the case, and no script ran.
        office.mouse.click(*self.screen_point(office, 36.1050, 120.4050))
        popup = office.locator(".leaflet-popup-content")
        popup.wait_for()
        self.assertIn(XSS_TITLE, popup.inner_text())
        self.assertIn(xss.tracking_number, popup.inner_text())
        self.assertEqual(popup.locator("a").get_attribute("href"), f"/cases/{xss.pk}/")
        self.snap(office, "map-popup")
        office.mouse.click(*self.screen_point(office, 36.1030, 120.4030))
        late_popup = office.locator(".leaflet-popup-content", has_text=late.tracking_number)
        self.assertIn("已逾期", late_popup.inner_text())

        # The grid view, by count and by overdue share.
        office.check("input[name=view][value=grids]")
        self.assertIn("诉求件数", office.inner_text(".map-legend"))
        self.assertIn("2个网格", office.inner_text("#map-status"))
        office.mouse.click(*self.screen_point(office, 36.1085, 120.4015))
        # (The point's popup fades out for a moment beside it.)
        grid_popup = office.locator(".leaflet-popup-content", has_text=self.grid.name)
        grid_popup.wait_for()
        self.assertIn(self.grid.name, grid_popup.inner_text())
        self.assertIn("件数：2", grid_popup.inner_text())
        self.assertIn("逾期占比：50.0%", grid_popup.inner_text())
        self.snap(office, "map-grids-by-count")
        office.check("input[name=measure][value=share]")
        self.assertIn("逾期占比", office.inner_text(".map-legend"))
        self.assertIn("≥40%", office.inner_text(".map-legend"))
        self.snap(office, "map-grids-by-overdue-share")

        # Filters narrow the map as they narrow the list.
        office.goto(self.live_server_url + "/map/?deadline=overdue")
        office.wait_for_selector("#case-map[data-loaded]")
        self.assertIn("1件", office.inner_text("#map-status"))

        # Department B sees its one case only.
        dept_b = self.watch(self.person("handler_b", "pw-handler_b"))
        dept_b.goto(self.live_server_url + "/map/")
        dept_b.wait_for_selector("#case-map[data-loaded]")
        self.assertIn("1件", dept_b.inner_text("#map-status"))
        self.snap(dept_b, "map-department-b")

        self.assertEqual(self.dialogs, [])
        self.assertEqual(self.errors, [])

    def test_the_case_page_shows_the_place_and_keeps_it_after_an_action(self):
        case = self.register(latitude=Decimal("36.1050"), longitude=Decimal("120.4050"))
        bare = self.register(grid=None, title="无坐标的诉求")
        office = self.watch(self.person("dispatcher", "pw-dispatcher"))
        office.goto(f"{self.live_server_url}/cases/{case.pk}/")
        office.wait_for_selector(".mini-map.leaflet-container")
        office.wait_for_selector(".mini-map .map-notice")
        self.snap(office, "case-page-map")

        # Dispatching swaps the page body in place (htmx); the map is drawn again.
        office.click("details summary:text-is('派单')")
        form = office.locator("details[open] form")
        form.locator("select[name=unit]").select_option(str(self.dept_a.pk))
        form.locator("button[type=submit]").click()
        office.wait_for_selector(".status.s-dispatched")
        office.wait_for_selector(".mini-map.leaflet-container")
        self.assertEqual(Case.objects.get(pk=case.pk).status, "dispatched")
        self.snap(office, "case-page-map-after-dispatch")

        office.goto(f"{self.live_server_url}/cases/{bare.pk}/")
        self.assertIn("没有坐标", office.inner_text(".case-place"))
        self.assertEqual(office.locator(".mini-map").count(), 0)
        self.assertEqual(self.errors, [])

    def fill_concern(self, page):
        page.fill("input[name=title]", "小区北门路灯不亮")
        page.fill("textarea[name=text]", "福临苑小区北门的两盏路灯坏了快两周，晚上出入不方便。")
        page.fill("input[name=address]", "福临苑小区北门")
        page.fill("input[name=phone]", "13912345678")

    def test_a_resident_taps_the_map_to_pin_the_place(self):
        context = self.browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        self.addCleanup(context.close)
        page = self.watch(context.new_page())
        page.goto(self.live_server_url + "/m/")
        page.wait_for_selector("#pin-map.leaflet-container")
        self.assertTrue(page.locator("#pin").is_visible())
        self.fill_concern(page)
        page.locator("#pin-map").scroll_into_view_if_needed()
        page.mouse.click(*self.screen_point(page, 36.1021, 120.4089))
        self.assertEqual(page.input_value("#id_datum"), "wgs84")
        self.assertAlmostEqual(float(page.input_value("#id_latitude")), 36.1021, places=3)
        self.assertIn("已在地图上标出位置", page.inner_text("#pin-status"))
        self.snap(page, "resident-pin")
        page.click("button:text-is('提交')")
        page.wait_for_selector("p.tracking")
        case = Case.objects.get()
        self.assertAlmostEqual(float(case.latitude), 36.1021, places=3)
        self.assertAlmostEqual(float(case.longitude), 120.4089, places=3)
        self.assertEqual(self.errors, [])

    def test_the_map_pages_pass_axe(self):
        case = self.register(latitude=Decimal("36.1050"), longitude=Decimal("120.4050"))
        office = self.person("dispatcher", "pw-dispatcher")
        found = {}
        for path, ready in (
            ("/map/", "#case-map[data-loaded]"),
            (f"/cases/{case.pk}/", ".mini-map.leaflet-container"),
            ("/m/", "#pin-map.leaflet-container"),
        ):
            office.goto(self.live_server_url + path)
            office.wait_for_selector(ready)
            office.add_script_tag(url=self.live_server_url + AXE_URL)
            problems = office.evaluate(RUN_AXE)
            if problems:
                found[path] = problems
        self.assertEqual(found, {}, "axe-core found WCAG 2 A/AA violations")

    def test_without_javascript_the_form_works_without_the_map(self):
        context = self.browser.new_context(
            viewport={"width": 390, "height": 844}, locale="zh-CN", java_script_enabled=False
        )
        self.addCleanup(context.close)
        page = context.new_page()
        page.goto(self.live_server_url + "/m/")
        self.assertFalse(page.locator("#pin").is_visible())
        self.fill_concern(page)
        self.snap(page, "resident-form-without-script")
        page.click("button:text-is('提交')")
        page.wait_for_selector("p.tracking")
        self.assertIsNone(Case.objects.get().latitude)
