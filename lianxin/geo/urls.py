from django.urls import path

from lianxin.geo import views

app_name = "geo"
urlpatterns = [
    path("", views.case_map, name="map"),
    path("cases.geojson", views.case_points, name="case_points"),
    path("grids.geojson", views.grid_shapes, name="grid_shapes"),
]
