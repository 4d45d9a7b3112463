"""Large exports run as a Huey job: progress, the file when ready, only for its owner."""

import csv
import datetime as dt
import io
import os

from django.http import QueryDict
from django.test import override_settings
from django.urls import reverse
from huey.contrib.djhuey import HUEY
from openpyxl import load_workbook

from lianxin.ledgers.jobs import remove_expired_jobs, run_export_job, start_export_job
from lianxin.ledgers.models import ExportJob
from lianxin.test import LianxinTestCase


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content)


class JobFilesRemoved:
    """Export files are written to DATA_DIR/exports: remove what a test made."""

    def tearDown(self):
        for job in ExportJob.objects.exclude(file=""):
            job.file.delete(save=False)
        super().tearDown()


class ExportJobFunctionTest(JobFilesRemoved, LianxinTestCase):
    def test_the_job_writes_the_owners_filtered_ledger(self):
        mine = self.dispatched()
        self.dispatched(unit=self.dept_b)
        self.register(title="小区门口井盖松动")
        with self.captureOnCommitCallbacks(execute=False):
            job = start_export_job(
                self.handler_a,
                "cases",
                "xlsx",
                QueryDict("status=dispatched"),
                title="诉求台账",
                total=1,
            )
        job = run_export_job(job.pk)
        self.assertEqual(job.status, ExportJob.Status.DONE)
        self.assertEqual((job.rows_done, job.rows_total), (1, 1))
        self.assertIsNotNone(job.finished_at)
        with job.file.open("rb") as handle:
            sheet = load_workbook(io.BytesIO(handle.read())).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][0], "受理编号")
        self.assertEqual([row[0] for row in rows[1:]], [mine.tracking_number])
        self.assertEqual(sheet.freeze_panes, "A2")

    def test_a_csv_job_counts_its_rows(self):
        for _ in range(3):
            self.register()
        job = ExportJob.objects.create(owner=self.dispatcher, kind="cases", format="csv")
        job = run_export_job(job.pk)
        self.assertEqual((job.status, job.rows_done, job.rows_total), ("done", 3, 3))
        with job.file.open("rb") as handle:
            rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
        self.assertEqual(len(rows), 4)

    def test_a_job_the_owner_may_not_have_fails_with_a_reason(self):
        job = ExportJob.objects.create(owner=self.handler_a, kind="return_visits", format="csv")
        job = run_export_job(job.pk)
        self.assertEqual(job.status, ExportJob.Status.FAILED)
        self.assertIn("导出失败", job.error)
        self.assertFalse(job.file)

    def test_old_jobs_and_their_files_are_removed(self):
        self.register()
        job = run_export_job(
            ExportJob.objects.create(owner=self.dispatcher, kind="cases", format="csv").pk
        )
        path = job.file.path
        self.assertEqual(remove_expired_jobs(now=job.created_at + dt.timedelta(days=6)), 0)
        self.assertEqual(remove_expired_jobs(now=job.created_at + dt.timedelta(days=8)), 1)
        self.assertFalse(ExportJob.objects.exists())
        self.assertFalse(os.path.exists(path))

    def test_a_job_runs_once(self):
        self.register()
        job = ExportJob.objects.create(owner=self.dispatcher, kind="cases", format="csv")
        first = run_export_job(job.pk)
        again = run_export_job(job.pk)
        self.assertEqual(again.file.name, first.file.name)


@override_settings(LEDGER_EXPORT_ASYNC_ROWS=2)
class ExportJobFlowTest(JobFilesRemoved, LianxinTestCase):
    def setUp(self):
        self.was_immediate = HUEY.immediate
        HUEY.immediate = True  # the task runs in this process when it is enqueued

    def tearDown(self):
        HUEY.immediate = self.was_immediate
        super().tearDown()

    def test_a_large_export_becomes_a_job_whose_page_offers_the_file(self):
        for _ in range(3):
            self.register()
        self.client.force_login(self.dispatcher)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.get(reverse("ledgers:export", args=["cases", "xlsx"]))
        job = ExportJob.objects.get()
        self.assertRedirects(response, reverse("ledgers:job", args=[job.pk]))
        self.assertEqual((job.owner, job.kind, job.format), (self.dispatcher, "cases", "xlsx"))
        page = self.client.get(reverse("ledgers:job", args=[job.pk]))
        self.assertContains(page, "已完成")
        self.assertContains(page, reverse("ledgers:job_download", args=[job.pk]))
        self.assertNotContains(page, 'hx-trigger="every 1s"')  # finished: polling stops
        data = downloaded(self.client.get(reverse("ledgers:job_download", args=[job.pk])))
        rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
        self.assertEqual(len(rows) - 1, 3)
        self.assertContains(self.client.get(reverse("ledgers:jobs")), job.title)

    def test_a_pending_job_polls_and_the_fragment_comes_alone_for_htmx(self):
        job = ExportJob.objects.create(
            owner=self.dispatcher, kind="cases", format="csv", title="诉求台账", rows_total=10
        )
        ExportJob.objects.filter(pk=job.pk).update(status="running", rows_done=4)
        self.client.force_login(self.dispatcher)
        fragment = self.client.get(reverse("ledgers:job", args=[job.pk]), HTTP_HX_REQUEST="true")
        self.assertContains(fragment, 'hx-trigger="every 1s"')
        self.assertContains(fragment, 'value="40"')
        self.assertNotContains(fragment, "<html")
        self.assertEqual(
            self.client.get(reverse("ledgers:job_download", args=[job.pk])).status_code, 404
        )

    def test_only_the_owner_sees_the_job_and_its_file(self):
        for _ in range(3):
            self.register()
        self.client.force_login(self.dispatcher)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.get(reverse("ledgers:export", args=["cases", "csv"]))
        job = ExportJob.objects.get()
        self.assertEqual(job.status, "done")
        for user in (self.leader, self.handler_a):
            self.client.force_login(user)
            for name in ("ledgers:job", "ledgers:job_download"):
                with self.subTest(user=user.username, page=name):
                    self.assertEqual(self.client.get(reverse(name, args=[job.pk])).status_code, 404)
            self.assertNotContains(self.client.get(reverse("ledgers:jobs")), job.title)

    def test_a_small_export_still_streams_at_once(self):
        self.register()
        self.client.force_login(self.dispatcher)
        response = self.client.get(reverse("ledgers:export", args=["cases", "csv"]))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(ExportJob.objects.exists())
