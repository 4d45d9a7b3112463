from django.urls import path

from lianxin.figures import views

app_name = "figures"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cases/", views.case_list, name="cases"),
]
