from django.urls import path

from lianxin.portal import services, views, wishes

app_name = "portal"
urlpatterns = [
    path("", views.submit, name="submit"),
    path("phone-code/", views.phone_code, name="phone_code"),
    path("submitted/<int:pk>/", views.submitted, name="submitted"),
    path("follow/", views.follow, name="follow"),
    path("f/<str:token>/", views.follow_link, name="follow_link"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/photos/<int:photo_pk>/", views.case_photo, name="case_photo"),
    path("cases/<int:pk>/rate/", views.rate, name="rate"),
    path("mine/", views.mine, name="mine"),
    path("signup/", views.signup, name="signup"),
    path("login/", views.PortalLoginView.as_view(), name="login"),
    path("password/", views.PortalPasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/confirm/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("wishes/", wishes.wall, name="wishes"),
    path("wishes/new/", wishes.post, name="post_wish"),
    path("wishes/mine/", wishes.mine, name="my_wishes"),
    path("wishes/<int:pk>/", wishes.wish_detail, name="wish"),
    path("wishes/<int:pk>/photos/<int:photo_pk>/", wishes.wish_photo, name="wish_photo"),
    path("wishes/<int:pk>/<str:action>/", wishes.act, name="wish_action"),
    path("services/", services.menu, name="services"),
    path(
        "services/<int:household_pk>/order/<int:service_pk>/",
        services.order,
        name="order_service",
    ),
    path("services/orders/<int:pk>/rate/", services.rate, name="rate_service"),
]
