from django.urls import path

from lianxin.hazards import views

app_name = "hazards"
urlpatterns = [
    path("", views.home, name="home"),
    path("places/import/", views.places_import, name="places_import"),
    path("places/template.xlsx", views.places_template, name="places_template"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path(
        "campaigns/<int:pk>/places/<int:place_pk>/inspect/",
        views.start_inspection,
        name="start_inspection",
    ),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("inspections/<int:pk>/items/<int:item_pk>/", views.score_item, name="score_item"),
    path("inspections/<int:pk>/hazards/", views.add_hazard, name="add_hazard"),
    path("inspections/<int:pk>/submit/", views.submit_inspection, name="submit_inspection"),
    path("list/", views.hazard_list, name="hazards"),
    path("figures/", views.figures_view, name="figures"),
    path("<int:pk>/", views.hazard_detail, name="hazard"),
    path("<int:pk>/photos/<int:photo_pk>/", views.hazard_photo, name="photo"),
    path("<int:pk>/<str:action>/", views.hazard_action, name="hazard_action"),
    path("self-check/<str:token>/", views.self_check, name="self_check"),
    path("fix/<str:token>/", views.fix_report, name="fix_report"),
]
