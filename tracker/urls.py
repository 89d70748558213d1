from django.contrib import admin
from django.urls import include, path

from . import views

catalogue = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/<slug:slug>/", views.case_detail, name="case_detail_slug"),
]

urlpatterns = [
    path("", include((catalogue, "tracker"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# Renders the 500 page without the database, and the 503 page when the database failed.
handler500 = "tracker.security.server_error"
