from django.urls import path

from lianxin.programs import views

app_name = "programs"
urlpatterns = [
    path("wishes/", views.wish_list, name="wishes"),
    path("wishes/figures/", views.figures_view, name="figures"),
    path("wishes/<int:pk>/", views.wish_detail, name="wish"),
    path("wishes/<int:pk>/photos/<int:photo_pk>/", views.wish_photo, name="wish_photo"),
    path("wishes/<int:pk>/<str:action>/", views.wish_action, name="wish_action"),
    path("households/<int:household_pk>/wish/", views.record_for_household, name="record"),
    path("claims/", views.my_claims, name="claims"),
]
