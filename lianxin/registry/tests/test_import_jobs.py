"""A list longer than the page imports is imported by a Huey job: the upload is checked at
once, the page polls the job's progress, the refused rows are listed and download as
.xlsx, the same file uploaded while its job runs joins it, and a job that stops keeps
what it committed and continues after its checkpoint."""

import datetime as dt
import io
from unittest.mock import patch

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from openpyxl import load_workbook

from lianxin.jobs import may_resume
from lianxin.registry import imports
from lianxin.registry.import_jobs import (
    remove_expired_imports,
    run_import_job,
    start_import_job,
)
from lianxin.registry.models import Household, RegistryEvent, RegistryImportJob
from lianxin.registry.tests.test_import import HOUSEHOLD_HEADERS, xlsx
from lianxin.test import LianxinTestCase, at

TASK = "run_registry_import"


def households(n: int, *, bad: frozenset[int] = frozenset(), community="c1") -> list[list]:
    """n households of one row each; those at the indexes in `bad` lack their head."""
    return [
        [community, "", f"福临苑8号楼{i + 1}室", "" if i in bad else f"户主{i}", "", 1, ""]
        for i in range(n)
    ]


def run_queued_imports() -> int:
    """Run the queued import jobs as the consumer does, with Huey's own `execute`."""
    storage, was_immediate = HUEY.storage, HUEY.immediate
    HUEY.immediate = True
    HUEY.storage = storage  # immediate mode swaps in a storage of its own: keep the test's
    ran = 0
    try:
        while (task := HUEY.dequeue()) is not None:
            if task.name == TASK:
                HUEY.execute(task)
                ran += 1
    finally:
        HUEY.immediate, HUEY.storage = was_immediate, storage
    return ran


class ImportFilesRemoved:
    def tearDown(self):
        for job in RegistryImportJob.objects.exclude(file=""):
            job.file.delete(save=False)
        super().tearDown()


@override_settings(REGISTRY_IMPORT_PAGE_ROWS=3)
class ImportJobPageTest(ImportFilesRemoved, LianxinTestCase):
    url = reverse("registry:import")

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)

    def setUp(self):
        super().setUp()
        self.enterContext(time_machine.travel(at(2026, 6, 17), tick=False))

    def upload(self, upload, user=None) -> RegistryImportJob:
        self.client.force_login(user or self.dispatcher)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url, {"kind": "households", "file": upload})
        job = RegistryImportJob.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[1])
        self.assertRedirects(response, reverse("registry:import_job", args=[job.pk]))
        return job

    def test_a_long_list_is_imported_by_a_job_whose_page_shows_progress_then_the_refused_rows(
        self,
    ):
        job = self.upload(xlsx(HOUSEHOLD_HEADERS, households(6, bad={4}), name="福临.xlsx"))
        self.assertEqual(
            (job.status, job.kind, job.name, job.rows_done),
            ("pending", "households", "福临.xlsx", 0),
        )
        self.assertEqual(Household.objects.count(), 3, "the request only stored the list")
        fragment = self.client.get(
            reverse("registry:import_job", args=[job.pk]), HTTP_HX_REQUEST="true"
        )
        self.assertContains(fragment, 'hx-trigger="every 1s"')
        self.assertContains(fragment, "正在读取表格")
        self.assertNotContains(fragment, "<html")

        self.assertEqual(run_queued_imports(), 1)
        job.refresh_from_db()
        self.assertEqual(job.status, RegistryImportJob.Status.DONE)
        self.assertEqual(
            job.summary(), {"rows": 6, "created": 5, "updated": 0, "unchanged": 0, "errors": 1}
        )
        self.assertEqual((job.rows_total, job.percent), (6, 100))
        self.assertEqual(Household.objects.count(), 8)
        page = self.client.get(reverse("registry:import_job", args=[job.pk]))
        self.assertNotContains(page, 'hx-trigger="every 1s"')
        self.assertContains(page, "已处理 6 / 6 行")
        self.assertContains(page, "第 6 行")  # index 4 sits on row 6
        self.assertContains(page, "缺少户主姓名")
        response = self.client.get(reverse("registry:import_job_errors", args=[job.pk]))
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0], ("行号", "内容", "原因"))
        self.assertEqual(rows[1][:2], (6, "福临苑8号楼5室"))
        self.assertIn("缺少户主姓名", rows[1][2])
        self.assertContains(self.client.get(self.url), "福临.xlsx", msg_prefix="recent imports")

    def test_a_short_list_goes_in_during_the_request(self):
        self.client.force_login(self.dispatcher)
        upload = xlsx(HOUSEHOLD_HEADERS, households(3))
        response = self.client.post(self.url, {"kind": "households", "file": upload})
        self.assertEqual(response.context["report"].summary()["created"], 3)
        self.assertFalse(RegistryImportJob.objects.exists())

    def test_the_same_list_uploaded_while_its_job_runs_joins_that_job(self):
        same = xlsx(HOUSEHOLD_HEADERS, households(5)).read()
        first = self.upload(SimpleUploadedFile("a.xlsx", same))
        second = self.upload(SimpleUploadedFile("a.xlsx", same))
        self.assertEqual(second, first)
        self.assertEqual(run_queued_imports(), 1)
        self.assertEqual(Household.objects.count(), 8)
        third = self.upload(SimpleUploadedFile("a.xlsx", same))
        self.assertNotEqual(third, first, "a finished job is not joined")
        run_queued_imports()
        third.refresh_from_db()
        self.assertEqual(third.summary()["unchanged"], 5, "and the list changes nothing")

    def test_a_community_may_not_import_into_another_community(self):
        rows = households(4) + households(1, community="青峰社区")
        job = self.upload(xlsx(HOUSEHOLD_HEADERS, rows), user=self.community_staff)
        run_queued_imports()
        job.refresh_from_db()
        self.assertEqual((job.created_count, job.error_count), (4, 1))
        refused = job.rows.get()
        self.assertEqual(refused.row, 6)
        self.assertIn("无权", refused.message)
        theirs = Household.objects.filter(community=self.other_community)
        self.assertFalse(theirs.filter(address__startswith="福临苑8号楼").exists())

    def test_only_the_owner_sees_the_job_and_may_continue_it(self):
        job = self.upload(xlsx(HOUSEHOLD_HEADERS, households(5)))
        run_queued_imports()
        for user in (self.street_staff, self.community_staff, self.handler_a, self.grid_worker):
            self.client.force_login(user)
            for name in ("registry:import_job", "registry:import_job_errors"):
                with self.subTest(user=user.username, page=name):
                    self.assertEqual(self.client.get(reverse(name, args=[job.pk])).status_code, 404)
            url = reverse("registry:import_job_resume", args=[job.pk])
            self.assertEqual(self.client.post(url).status_code, 404)

    def test_continue_takes_post_only(self):
        job = self.upload(xlsx(HOUSEHOLD_HEADERS, households(5)))
        url = reverse("registry:import_job_resume", args=[job.pk])
        self.assertEqual(self.client.get(url).status_code, 405)


class ImportJobFailureTest(ImportFilesRemoved, LianxinTestCase):
    """A job that stops midway keeps the chunks it committed and continues after them."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)

    def setUp(self):
        super().setUp()
        self.enterContext(time_machine.travel(at(2026, 6, 17), tick=False))

    def job(self, rows, headers=HOUSEHOLD_HEADERS) -> RegistryImportJob:
        job, _new = start_import_job(self.dispatcher, "households", xlsx(headers, rows))
        return job

    def test_a_failure_keeps_the_committed_chunks_and_continue_finishes_without_duplicates(self):
        job = self.job(households(7, bad={1}))
        real = imports.Importer.save_households
        calls = []

        def crash_on_third_chunk(importer, groups):
            calls.append([rows[0][0] for rows in groups])
            results = real(importer, groups)  # the chunk's households are written …
            if len(calls) == 3:
                raise ConnectionError("数据库连接中断")  # … and then the worker dies
            return results

        with (
            patch.object(imports, "HOUSEHOLD_CHUNK_ROWS", 2),
            patch.object(imports.Importer, "save_households", crash_on_third_chunk),
        ):
            job = run_import_job(job.pk)
        self.assertEqual(calls, [[2, 3], [4, 5], [6, 7]])
        self.assertEqual(job.status, RegistryImportJob.Status.FAILED)
        self.assertIn("导入在处理4行之后中断：数据库连接中断", job.error)
        self.assertEqual((job.units_done, job.rows_done, job.created_count), (4, 4, 3))
        self.assertEqual(Household.objects.count(), 6, "the third chunk is rolled back")
        self.assertTrue(may_resume(job))

        self.client.force_login(self.dispatcher)
        page = self.client.get(reverse("registry:import_job", args=[job.pk]))
        self.assertContains(page, "数据库连接中断")
        self.assertContains(page, "已处理 4 / 7 行")
        self.assertContains(page, "继续导入其余的行")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("registry:import_job_resume", args=[job.pk]))
        self.assertRedirects(response, reverse("registry:import_job", args=[job.pk]))
        with patch.object(imports, "HOUSEHOLD_CHUNK_ROWS", 2):
            self.assertEqual(run_queued_imports(), 1)
        job.refresh_from_db()
        self.assertEqual(job.status, RegistryImportJob.Status.DONE)
        self.assertEqual(
            job.summary(), {"rows": 7, "created": 6, "updated": 0, "unchanged": 0, "errors": 1}
        )
        self.assertEqual(Household.objects.count(), 9)
        created = RegistryEvent.objects.filter(code="registry.household.created")
        self.assertEqual(created.count(), 9, "one event a household, none twice")
        self.assertEqual(list(job.rows.values_list("row", flat=True)), [3])

    def test_a_second_run_of_a_finished_job_does_nothing(self):
        job = run_import_job(self.job(households(3)).pk)
        self.assertEqual(job.status, "done")
        again = run_import_job(job.pk)
        self.assertEqual(again.summary(), job.summary())
        self.assertEqual(Household.objects.count(), 6)

    def test_a_list_the_job_cannot_read_fails_with_the_reason(self):
        headers = ["社区", "地址", "户主", "姓名", "家庭成员"]
        job = run_import_job(self.job([["c1", "a", "b", "b", "b（户主）"]], headers=headers).pk)
        self.assertEqual(job.status, "failed")
        self.assertIn("不能同时填写", job.error)

    def test_finished_jobs_and_their_files_are_removed_after_thirty_days(self):
        job = run_import_job(self.job(households(2)).pk)
        storage, name = job.file.storage, job.file.name
        self.assertEqual(remove_expired_imports(timezone.now() + dt.timedelta(days=29)), 0)
        self.assertEqual(remove_expired_imports(timezone.now() + dt.timedelta(days=31)), 1)
        self.assertFalse(storage.exists(name))
