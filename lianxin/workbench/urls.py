from django.urls import path

from lianxin.workbench import intake_views, views

app_name = "workbench"
urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="cases"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/photos/<int:photo_pk>/", views.case_photo, name="case_photo"),
    path("cases/<int:pk>/actions/<str:action>/", views.case_action, name="case_action"),
    path("intake/", intake_views.intake, name="intake"),
    path("intake/forum/", intake_views.forum, name="forum"),
    path("intake/caller/", intake_views.caller_cases, name="caller_cases"),
    path("return-visits/", intake_views.return_visits, name="return_visits"),
]
