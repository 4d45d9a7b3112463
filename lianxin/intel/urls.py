from django.urls import path

from lianxin.intel import api_views, reply_views, views

app_name = "intel"
urlpatterns = [
    path("cases/<int:pk>/duplicates/", views.case_duplicates, name="case_duplicates"),
    path("cases/<int:pk>/link/", views.link_case, name="link_case"),
    path("similar/", views.similar, name="similar"),
    path("similar/<int:pk>/support/", views.support, name="support"),
    path("cases/<int:pk>/reply-check/", reply_views.reply_check, name="reply_check"),
    path(
        "cases/<int:pk>/suggestions.json",
        api_views.case_suggestions,
        name="case_suggestions",
    ),
    path("topics/", views.topic_list, name="topics"),
    path("topics/refresh/", views.topic_refresh, name="topic_refresh"),
    path("topics/<int:pk>/", views.topic_detail, name="topic"),
    path("topics/<int:pk>/batch/<str:action>/", views.topic_batch, name="topic_batch"),
]
