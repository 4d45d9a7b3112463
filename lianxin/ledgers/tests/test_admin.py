"""The admin offers the import template, on its index and beside the export jobs."""

from django.urls import reverse

from lianxin.ledgers.models import ExportJob, ImportJob
from lianxin.test import LianxinTestCase


class LedgerAdminTest(LianxinTestCase):
    def setUp(self):
        self.client.force_login(self.admin)

    def test_the_admin_index_links_the_import_template(self):
        page = self.client.get(reverse("admin:index"))
        self.assertContains(page, reverse("ledgers:import_template"))

    def test_the_export_jobs_list_opens_read_only_and_links_the_template(self):
        ExportJob.objects.create(
            owner=self.dispatcher, kind="cases", format="csv", title="诉求台账"
        )
        page = self.client.get(reverse("admin:ledgers_exportjob_changelist"))
        self.assertContains(page, "诉求台账")
        self.assertContains(page, reverse("ledgers:import_template"))
        job = ExportJob.objects.get()
        change = self.client.get(reverse("admin:ledgers_exportjob_change", args=[job.pk]))
        self.assertEqual(change.status_code, 200)
        self.assertNotContains(change, 'name="_save"')

    def test_the_import_jobs_list_opens_read_only_without_the_uploaded_file(self):
        job = ImportJob.objects.create(
            owner=self.dispatcher, name="第3批.xlsx", digest="0" * 64, rows_total=57
        )
        page = self.client.get(reverse("admin:ledgers_importjob_changelist"))
        self.assertContains(page, "第3批.xlsx")
        change = self.client.get(reverse("admin:ledgers_importjob_change", args=[job.pk]))
        self.assertEqual(change.status_code, 200)
        self.assertNotContains(change, 'name="_save"')
        self.assertNotContains(change, "imports/")
