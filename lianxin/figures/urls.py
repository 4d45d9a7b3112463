from django.urls import path

from lianxin.figures import coverage_views, views

app_name = "figures"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cases/", views.case_list, name="cases"),
    path("coverage/", coverage_views.coverage_page, name="coverage"),
    path("coverage/households/", coverage_views.coverage_households, name="coverage_households"),
]
