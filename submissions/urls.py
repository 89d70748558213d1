from django.urls import path

from . import views

app_name = "submissions"

urlpatterns = [
    path("", views.submit, name="submit"),
    path("status/", views.status, name="status"),
    path("status/answer/", views.answer, name="answer"),
    path("status/withdraw/", views.withdraw, name="withdraw"),
]
