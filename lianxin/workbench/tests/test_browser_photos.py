"""A handler tries to plant a script as a resolution "photo": in a real browser, the page
refuses it in Chinese, nothing reaches MEDIA_ROOT, and no script runs anywhere."""

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from lianxin.cases import actions
from lianxin.cases.models import Case, CasePhoto, Channel, Status
from lianxin.cases.tests.images import image_bytes
from lianxin.test import BrowserTestCase

HTML = b"<html><body><script>alert('planted');console.log('planted')</script></body></html>"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(\'planted\')">'
    b"<script>console.log('planted')</script></svg>"
)


class PlantedPhotoTest(BrowserTestCase):
    artifacts = "browser-photos"

    def open_resolve_form(self, page, case):
        page.goto(f"{self.live_server_url}/cases/{case.pk}/")
        page.click("details summary:text-is('办结')")
        form = page.locator("details[open] form")
        form.locator("textarea[name=note]").fill("已更换3号楼门口路灯灯具，恢复照明。")
        return form

    def stored(self) -> list[Path]:
        return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]

    def test_html_and_svg_photos_are_refused_and_nothing_runs(self):
        case = self.replied_case()
        handler = self.person("handler_a", "pw-handler_a")
        console = []
        handler.on("console", lambda message: console.append(message.text))

        for name, content, mime in [
            ("现场.html", HTML, "image/jpeg"),
            ("现场.svg", SVG, "image/svg+xml"),
        ]:
            with self.subTest(name):
                form = self.open_resolve_form(handler, case)
                form.locator("input[name=photos]").set_input_files(
                    [{"name": name, "mimeType": mime, "buffer": content}]
                )
                form.locator("button[type=submit]").click()
                refusal = handler.locator("ul.messages li.error")
                refusal.wait_for()
                self.assertIn(f"文件“{name}”不是JPEG、PNG或WebP格式的图片", refusal.inner_text())
                self.snap(handler, "refused-" + name.rpartition(".")[2])
                self.assertEqual(Case.objects.get(pk=case.pk).status, Status.REPLIED)
                self.assertEqual(self.stored(), [])

        # A real photo goes through, stored anew, and the office opens it without harm.
        form = self.open_resolve_form(handler, case)
        form.locator("input[name=photos]").set_input_files(
            [{"name": "现场.png", "mimeType": "image/png", "buffer": image_bytes("PNG")}]
        )
        form.locator("button[type=submit]").click()
        handler.wait_for_selector("text=已完成：办结")
        photo = CasePhoto.objects.get(case=case)
        self.assertRegex(photo.image.name, r"/[0-9a-f]{32}\.png$")
        self.assertEqual(len(self.stored()), 1)
        self.snap(handler, "resolved-with-photo")

        office = self.person("dispatcher", "pw-dispatcher")
        office.on("console", lambda message: console.append(message.text))
        office.goto(f"{self.live_server_url}/cases/{case.pk}/")
        self.assertTrue(office.locator(".photos img").evaluate("img => img.naturalWidth > 0"))
        office.click(".photos button:text-is('公开到开放接口')")
        office.wait_for_selector(".photos figcaption:text-is('已公开')")
        self.assertTrue(CasePhoto.objects.get(case=case).public)
        self.snap(office, "office-published-photo")

        # A file stored before every upload was checked is a download, never a page.
        legacy = CasePhoto.objects.create(
            case=case,
            stage=CasePhoto.Stage.RESOLUTION,
            image=SimpleUploadedFile("old.html", HTML, "text/html"),
        )
        with office.expect_download() as download:
            office.evaluate(
                "url => { const a = document.createElement('a'); a.href = url;"
                " document.body.appendChild(a); a.click(); }",
                f"/cases/{case.pk}/photos/{legacy.pk}/",
            )
        self.assertTrue(download.value.suggested_filename.endswith(".bin"))

        self.assertEqual(self.dialogs, [])
        self.assertNotIn("planted", " ".join(console))

    def replied_case(self) -> Case:
        case = actions.do_register_case(
            actor=self.grid_worker,
            channel=Channel.PATROL,
            title="福临苑3号楼门口路灯不亮",
            text="福临苑小区3号楼门口的路灯坏了一个多星期，晚上老人出门看不清路。",
            address="福临苑小区3号楼",
            grid=self.grid,
            category=self.category,
            resident_phone="13812341234",
        )
        case = actions.do_dispatch_case(case, actor=self.dispatcher, unit=self.dept_a)
        actions.do_accept_part(case.parts.get(), actor=self.handler_a)
        return actions.do_reply_case(
            case, actor=self.handler_a, text="已安排维修人员本周五前更换灯具，请您耐心等待。"
        )
