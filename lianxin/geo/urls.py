from django.urls import path

from lianxin.geo import coverage_views, hazards, views

app_name = "geo"
urlpatterns = [
    path("", views.case_map, name="map"),
    path("cases.geojson", views.case_points, name="case_points"),
    path("grids.geojson", views.grid_shapes, name="grid_shapes"),
    path("hazards.geojson", hazards.hazard_points_view, name="hazard_points"),
    path("coverage/", coverage_views.coverage_map, name="coverage"),
    path("coverage/buildings.geojson", coverage_views.building_coverage, name="building_coverage"),
]
