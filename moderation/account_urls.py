from django.urls import path

from . import accounts

app_name = "accounts"

urlpatterns = [
    path("login/", accounts.login, name="login"),
    path("logout/", accounts.logout, name="logout"),
    path("two-factor/", accounts.enrol, name="enrol"),
]
