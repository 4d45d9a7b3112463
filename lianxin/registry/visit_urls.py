from django.urls import path

from lianxin.registry import visit_views

app_name = "visits"
urlpatterns = [
    path("", visit_views.mine, name="mine"),
    path("households/<int:pk>/", visit_views.visit_form, name="form"),
    path("households/<int:pk>/urgent/", visit_views.urgent, name="urgent"),
    path("rounds/", visit_views.rounds, name="rounds"),
    path("rounds/new/", visit_views.round_edit, name="new_round"),
    path("rounds/<int:pk>/edit/", visit_views.round_edit, name="edit_round"),
    path("rounds/<int:pk>/open/", visit_views.round_change, {"change": "open"}, name="open"),
    path("rounds/<int:pk>/close/", visit_views.round_change, {"change": "close"}, name="close"),
]
