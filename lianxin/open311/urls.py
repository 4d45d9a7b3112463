from django.urls import path, re_path

from lianxin.open311 import views

app_name = "open311"
FMT = r"\.(?P<fmt>json|xml)$"
urlpatterns = [
    path("", views.discovery, name="root"),
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.services, name="services"),
    re_path(r"^services/(?P<code>[^/]+?)" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.service_requests, name="requests"),
    re_path(r"^requests/(?P<number>[^/]+?)" + FMT, views.service_request, name="request"),
    re_path(r"^servicerequestupdates" + FMT, views.service_request_updates, name="updates"),
    path("photos/<int:pk>/", views.public_photo, name="photo"),
    re_path(r"", views.not_found),
]
