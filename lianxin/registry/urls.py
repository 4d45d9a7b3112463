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
    path("import/<str:kind>/template.xlsx", views.import_template, name="import_template"),
]
