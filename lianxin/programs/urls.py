from django.urls import path

from lianxin.programs import service_views, views

app_name = "programs"
urlpatterns = [
    path("wishes/", views.wish_list, name="wishes"),
    path("wishes/figures/", views.figures_view, name="figures"),
    path("wishes/<int:pk>/", views.wish_detail, name="wish"),
    path("wishes/<int:pk>/photos/<int:photo_pk>/", views.wish_photo, name="wish_photo"),
    path("wishes/<int:pk>/<str:action>/", views.wish_action, name="wish_action"),
    path("households/<int:household_pk>/wish/", views.record_for_household, name="record"),
    path("claims/", views.my_claims, name="claims"),
    path("services/", service_views.menu, name="services"),
    path("services/new/", service_views.service_edit, name="service_new"),
    path("services/print/", service_views.menu_print, name="services_print"),
    path("services/<int:pk>/edit/", service_views.service_edit, name="service_edit"),
    path("services/orders/", service_views.order_list, name="orders"),
    path("services/orders/<int:pk>/", service_views.order_detail, name="order"),
    path("services/orders/<int:pk>/<str:action>/", service_views.order_action, name="order_action"),
    path(
        "households/<int:household_pk>/order/",
        service_views.order_for_household,
        name="order_for",
    ),
]
