from django.urls import path

from lianxin.workbench import views

app_name = "workbench"
urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="cases"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/actions/<str:action>/", views.case_action, name="case_action"),
]
