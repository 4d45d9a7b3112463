from django.urls import path

from lianxin.ledgers import hazard_notice, views

app_name = "ledgers"
urlpatterns = [
    path("export/<str:kind>.<str:fmt>", views.export, name="export"),
    path("import/", views.import_cases_view, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("import/<int:pk>/resume/", views.import_job_resume, name="import_job_resume"),
    path("import/<int:pk>/report.xlsx", views.import_job_report, name="import_job_report"),
    path("disclosures/", views.disclosure_log, name="disclosures"),
    path("brief/", views.brief, name="brief"),
    path("brief.pdf", views.brief_pdf_view, name="brief_pdf"),
    path("hazards/notices/<int:pk>.pdf", hazard_notice.notice_pdf_view, name="hazard_notice"),
    path("jobs/", views.jobs, name="jobs"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
]
