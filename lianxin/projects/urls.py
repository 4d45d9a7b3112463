from django.urls import path

from lianxin.projects import import_views, public_views, views

app_name = "projects"
urlpatterns = [
    path("", views.plan_list, name="plans"),
    path("plans/<int:pk>/", views.plan_ledger, name="plan"),
    path("plans/<int:pk>/export.xlsx", views.plan_export, name="export"),
    path("plans/<int:pk>/import/", import_views.import_view, name="import"),
    path("plans/<int:plan_pk>/add/", views.project_form, name="add"),
    path("plans/<int:plan_pk>/<int:pk>/edit/", views.project_form, name="edit"),
    path("template.xlsx", import_views.import_template, name="template"),
    path("<int:pk>/", views.project_detail, name="project"),
    path("<int:pk>/photos/<int:photo_pk>/", views.report_photo, name="photo"),
    path("<int:pk>/<str:action>/", views.project_action, name="action"),
    path("promote/<str:source>/<int:pk>/", views.promote, name="promote"),
    path("public/", public_views.district, name="public"),
    path("public/streets/<int:pk>/", public_views.street_page, name="public_street"),
    path("public/plans/<int:pk>/", public_views.plan_page, name="public_plan"),
]
