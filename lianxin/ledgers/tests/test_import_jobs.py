"""A large list is imported by a Huey job: the upload is checked at once, the page polls the
job's progress, the report names every row's fate and downloads as .xlsx, a job that stops
keeps what it committed and continues after its checkpoint, and nothing is imported twice."""

import datetime as dt
import io
import os
from unittest.mock import patch

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from openpyxl import load_workbook

from lianxin.accounts.models import Role
from lianxin.cases.models import Case, CaseEvent
from lianxin.ledgers import imports
from lianxin.ledgers.import_jobs import (
    import_chunk,
    remove_expired_imports,
    run_import_job,
    start_import_job,
)
from lianxin.ledgers.imports import Importer, ListSheet, chunked, inspect_list
from lianxin.ledgers.models import ImportJob, ImportRow
from lianxin.ledgers.tests.test_import import ImportFilesRemoved, row, xlsx
from lianxin.test import LianxinTestCase, make_user


def queued_imports() -> list:
    return [task for task in HUEY.pending() if task.name == "run_import"]


def run_queued_imports() -> int:
    """Run the queued import jobs as the consumer does, with Huey's own `execute`.

    In immediate mode Huey leaves the database connection open around a `db_task`, so the
    job runs inside the test's transaction (a consumer would close it between jobs)."""
    storage, was_immediate = HUEY.storage, HUEY.immediate
    HUEY.immediate = True
    HUEY.storage = storage  # immediate mode swaps in a storage of its own: keep the test's
    ran = 0
    try:
        while (task := HUEY.dequeue()) is not None:
            if task.name == "run_import":
                HUEY.execute(task)
                ran += 1
    finally:
        HUEY.immediate, HUEY.storage = was_immediate, storage
    return ran


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content)


def forwarded(n: int, *, bad: set[int] = frozenset(), prefix="ZB") -> SimpleUploadedFile:
    """A list of n rows; the rows at the indexes in `bad` lack their title."""
    return xlsx(
        [row(f"{prefix}-{i:03d}", title=None if i in bad else f"路灯不亮 {i}") for i in range(n)]
    )


@override_settings(LEDGER_IMPORT_SYNC_ROWS=3)
class ImportJobFlowTest(ImportFilesRemoved, LianxinTestCase):
    url = reverse("ledgers:import")

    def upload(self, upload) -> ImportJob:
        self.client.force_login(self.dispatcher)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url, {"file": upload})
        job = ImportJob.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[1])
        self.assertRedirects(response, reverse("ledgers:import_job", args=[job.pk]))
        return job

    def test_a_large_list_is_imported_by_a_job_whose_page_shows_progress_then_the_report(self):
        job = self.upload(forwarded(6, bad={4}))
        # The request only checked and stored the list, and queued the job.
        self.assertEqual((job.status, job.rows_total, job.rows_done), ("pending", 6, 0))
        self.assertEqual(job.name, "清单.xlsx")
        self.assertFalse(Case.objects.exists())
        self.assertEqual(len(queued_imports()), 1)
        fragment = self.client.get(
            reverse("ledgers:import_job", args=[job.pk]), HTTP_HX_REQUEST="true"
        )
        self.assertContains(fragment, 'hx-trigger="every 1s"')
        self.assertContains(fragment, "已处理 0 / 6 行")
        self.assertNotContains(fragment, "<html")

        self.assertEqual(run_queued_imports(), 1)
        job.refresh_from_db()
        self.assertEqual(job.status, ImportJob.Status.DONE)
        self.assertEqual(
            (job.rows_done, job.created_count, job.duplicate_count, job.error_count),
            (6, 5, 0, 1),
        )
        self.assertEqual(job.last_row, 7)
        self.assertIsNotNone(job.finished_at)
        self.assertEqual(Case.objects.count(), 5)
        page = self.client.get(reverse("ledgers:import_job", args=[job.pk]))
        self.assertNotContains(page, 'hx-trigger="every 1s"')
        self.assertContains(page, "已处理 6 / 6 行")
        self.assertContains(page, "导入结果")
        self.assertContains(page, "第 6 行")  # the bad row: index 4 sits on row 6
        self.assertContains(page, "缺少标题")
        for case in Case.objects.all():
            self.assertContains(page, case.tracking_number)

    def test_the_report_downloads_as_xlsx_with_every_row(self):
        first = self.upload(forwarded(5, bad={1}))
        run_queued_imports()
        again = self.upload(forwarded(5, bad={1}))  # the same rows: all already there
        run_queued_imports()
        again.refresh_from_db()
        self.assertEqual((again.created_count, again.duplicate_count, again.error_count), (0, 4, 1))
        self.assertEqual(Case.objects.count(), 4)
        response = self.client.get(reverse("ledgers:import_job_report", args=[again.pk]))
        self.assertEqual(response.status_code, 200)
        sheet = load_workbook(io.BytesIO(downloaded(response))).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0], ("行号", "结果", "受理编号", "标题", "说明"))
        self.assertEqual([r[0] for r in rows[1:]], [2, 3, 4, 5, 6])
        self.assertEqual(sheet.freeze_panes, "A2")
        by_row = {r[0]: r for r in rows[1:]}
        self.assertEqual(by_row[3][1], "有误，未导入")
        self.assertIn("缺少标题", by_row[3][4])
        case = Case.objects.get(title="路灯不亮 0")
        self.assertEqual(by_row[2][1:3], ("已导入过，跳过", case.tracking_number))
        self.assertIn(case.tracking_number, by_row[2][4])
        first_rows = ImportRow.objects.filter(job=first, row=2).get()
        self.assertEqual((first_rows.outcome, first_rows.case), ("created", case))

    def test_the_same_list_uploaded_while_its_job_runs_joins_that_job(self):
        # The same bytes twice: openpyxl stamps each file it saves with the second it was
        # saved in, so two builds of one list may differ.
        same_list = forwarded(5).read()
        first = self.upload(SimpleUploadedFile("清单.xlsx", same_list))
        second = self.upload(SimpleUploadedFile("清单.xlsx", same_list))
        self.assertEqual(second, first)
        self.assertEqual(ImportJob.objects.count(), 1)
        self.assertEqual(run_queued_imports(), 1)
        self.assertEqual(Case.objects.count(), 5)

    def test_a_small_list_is_imported_in_the_request(self):
        job = self.upload(forwarded(3))
        self.assertEqual((job.status, job.created_count), ("done", 3))
        self.assertEqual(queued_imports(), [])

    def test_the_finished_page_costs_the_same_queries_however_many_rows(self):
        small = self.upload(forwarded(4, prefix="A"))
        large = self.upload(forwarded(12, bad={3, 7}, prefix="B"))
        run_queued_imports()

        def queries(job):
            with CaptureQueriesContext(connection) as captured:
                self.client.get(reverse("ledgers:import_job", args=[job.pk]))
            return len(captured)

        self.assertEqual(queries(small), queries(large))

    def test_only_the_owner_sees_the_job_its_report_and_may_continue_it(self):
        job = self.upload(forwarded(5))
        run_queued_imports()
        other_office = make_user("dispatcher2", Role.DISPATCHER, self.office)
        for user in (other_office, self.handler_a, self.leader):
            self.client.force_login(user)
            for name in ("ledgers:import_job", "ledgers:import_job_report"):
                with self.subTest(user=user.username, page=name):
                    self.assertEqual(self.client.get(reverse(name, args=[job.pk])).status_code, 404)
            url = reverse("ledgers:import_job_resume", args=[job.pk])
            self.assertEqual(self.client.post(url).status_code, 404)
        self.client.force_login(other_office)
        self.assertNotContains(self.client.get(self.url), "最近的导入")

    def test_continue_takes_post_only(self):
        job = self.upload(forwarded(5))
        url = reverse("ledgers:import_job_resume", args=[job.pk])
        self.assertEqual(self.client.get(url).status_code, 405)


class ImportJobFailureTest(ImportFilesRemoved, LianxinTestCase):
    """A job that stops midway keeps the chunks it committed and continues after them."""

    def job(self, upload) -> ImportJob:
        total = inspect_list(upload)
        job, _new = start_import_job(self.dispatcher, upload, total=total)
        return job

    def test_a_failure_keeps_the_committed_chunks_and_continue_finishes_without_duplicates(self):
        # Rows 2-3 repeat further down (rows 9-10): the repeat must still be named as such
        # when the second run starts after the checkpoint.
        rows = [row(f"ZB-{i:03d}", title=f"路灯不亮 {i}") for i in range(7)]
        rows += [rows[0], rows[1]]
        job = self.job(xlsx(rows))
        real = Importer.import_chunk
        calls = []

        def crash_on_third_chunk(importer, chunk):
            calls.append([number for number, _raw in chunk])
            results = real(importer, chunk)  # the chunk's cases are written …
            if len(calls) == 3:
                raise ConnectionError("数据库连接中断")  # … and then the worker dies
            return results

        with (
            patch.object(imports, "CHUNK_ROWS", 2),
            patch.object(Importer, "import_chunk", crash_on_third_chunk),
        ):
            job = run_import_job(job.pk)
        self.assertEqual(calls, [[2, 3], [4, 5], [6, 7]])
        self.assertEqual(job.status, ImportJob.Status.FAILED)
        self.assertIn("导入在第5行之后中断：数据库连接中断", job.error)
        # The first two chunks are kept with their report; the third chunk is rolled back.
        self.assertEqual((job.last_row, job.rows_done, job.created_count), (5, 4, 4))
        self.assertEqual(Case.objects.count(), 4)
        self.assertEqual(list(job.rows.values_list("row", flat=True)), [2, 3, 4, 5])
        self.assertEqual(CaseEvent.objects.count(), 4)

        self.client.force_login(self.dispatcher)
        page = self.client.get(reverse("ledgers:import_job", args=[job.pk]))
        self.assertContains(page, "数据库连接中断")
        self.assertContains(page, "已处理 4 / 9 行")
        self.assertContains(page, "继续导入其余的行")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("ledgers:import_job_resume", args=[job.pk]))
        self.assertRedirects(response, reverse("ledgers:import_job", args=[job.pk]))
        job.refresh_from_db()
        self.assertEqual((job.status, job.error), ("pending", ""))
        with patch.object(imports, "CHUNK_ROWS", 2):
            self.assertEqual(run_queued_imports(), 1)
        job.refresh_from_db()
        self.assertEqual(job.status, ImportJob.Status.DONE)
        self.assertEqual(
            (job.rows_done, job.created_count, job.duplicate_count, job.error_count),
            (9, 7, 2, 0),
        )
        self.assertEqual(Case.objects.count(), 7)
        self.assertEqual(list(job.rows.values_list("row", flat=True)), list(range(2, 11)))
        repeats = job.rows.filter(outcome="duplicate").values_list("row", "message")
        self.assertEqual(list(repeats), [(9, "与第2行重复。"), (10, "与第3行重复。")])

    def test_a_second_run_of_a_finished_job_does_nothing(self):
        job = run_import_job(self.job(forwarded(3)).pk)
        self.assertEqual(job.status, "done")
        again = run_import_job(job.pk)
        self.assertEqual((again.status, again.rows_done, again.created_count), ("done", 3, 3))
        self.assertEqual(ImportRow.objects.count(), 3)
        self.assertEqual(Case.objects.count(), 3)

    def test_a_second_worker_on_the_same_job_skips_the_rows_already_committed(self):
        job = self.job(forwarded(4))
        # Another worker imported the first chunk, then died while the job still "ran".
        with patch.object(imports, "CHUNK_ROWS", 2):
            importer = Importer(actor=self.dispatcher, now=timezone.now())
            with job.file.open("rb") as handle:
                sheet = ListSheet(handle)
                import_chunk(job, importer, next(chunked(sheet.data_rows())))
                sheet.close()
            job = run_import_job(job.pk)
        self.assertEqual((job.status, job.rows_done, job.created_count), ("done", 4, 4))
        self.assertEqual(Case.objects.count(), 4)
        self.assertEqual(ImportRow.objects.count(), 4)

    def test_a_job_may_be_continued_only_when_it_stopped(self):
        job = self.job(forwarded(5))
        self.client.force_login(self.dispatcher)
        url = reverse("ledgers:import_job_resume", args=[job.pk])
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(url)  # just queued: not stopped
        self.assertEqual(queued_imports(), [])
        self.assertNotContains(
            self.client.get(reverse("ledgers:import_job", args=[job.pk])), "继续导入其余的行"
        )
        # A job that has not moved for a quarter of an hour lost its worker.
        ImportJob.objects.filter(pk=job.pk).update(
            status="running", progressed_at=timezone.now() - dt.timedelta(minutes=15)
        )
        self.assertContains(
            self.client.get(reverse("ledgers:import_job", args=[job.pk])), "继续导入其余的行"
        )
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(url)
        self.assertEqual(len(queued_imports()), 1)
        run_queued_imports()
        job.refresh_from_db()
        self.assertEqual((job.status, job.created_count), ("done", 5))

    def test_old_jobs_and_their_files_are_removed(self):
        job = run_import_job(self.job(forwarded(2)).pk)
        path = job.file.path
        self.assertTrue(os.path.exists(path))
        self.assertEqual(remove_expired_imports(now=job.created_at + dt.timedelta(days=29)), 0)
        self.assertEqual(remove_expired_imports(now=job.created_at + dt.timedelta(days=31)), 1)
        self.assertFalse(ImportJob.objects.exists())
        self.assertFalse(ImportRow.objects.exists())
        self.assertFalse(os.path.exists(path))
        self.assertEqual(Case.objects.count(), 2, "the cases stay, of course")
