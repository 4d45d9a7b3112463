from django.urls import path

from lianxin.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.household_list, name="households"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("households/<int:pk>/corrections/", views.propose_correction, name="propose_correction"),
    path("corrections/<int:pk>/decide/", views.decide_correction, name="decide_correction"),
    path("pairs/", views.pair_list, name="pairs"),
    path("import/", views.import_view, name="import"),
    path("import/jobs/<int:pk>/", views.import_job, name="import_job"),
    path("import/jobs/<int:pk>/resume/", views.import_job_resume, name="import_job_resume"),
    path("import/jobs/<int:pk>/errors.xlsx", views.import_job_errors, name="import_job_errors"),
    path("import/<str:kind>/template.xlsx", views.import_template, name="import_template"),
]
