from django.urls import path

from lianxin.volunteers import views

app_name = "volunteers"
urlpatterns = [
    path("", views.team_list, name="teams"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("teams/<int:pk>/activities/new/", views.record_activity, name="record_activity"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/photos/<int:photo_pk>/", views.activity_photo, name="activity_photo"),
    path("report-ins/", views.report_in_list, name="report_ins"),
    path("report-ins/<int:pk>/", views.report_in_detail, name="report_in"),
    path("assignments/<int:pk>/finish/", views.finish_assignment, name="finish_assignment"),
    path("ranking/", views.ranking, name="ranking"),
    path("partners/", views.partner_list, name="partners"),
    path("partners/<int:pk>/", views.partner_detail, name="partner"),
    path("import/", views.import_roster, name="import"),
    path("import/template/<str:kind>.xlsx", views.import_template, name="import_template"),
]
