from django.urls import path

from lianxin.portal import views

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
]
