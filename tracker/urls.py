from django.contrib import admin
from django.urls import include, path

from . import exports, feeds, stats, views

catalogue = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/export.csv", exports.export_csv, name="case_export_csv"),
    path("cases/export.json", exports.export_json, name="case_export_json"),
    path("cases/feed/", feeds.case_feed, name="case_feed"),
    path("data/", exports.data_dictionary, name="data_dictionary"),
    path("stats/", stats.stats, name="stats"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/<slug:slug>/", views.case_detail, name="case_detail_slug"),
]

urlpatterns = [
    path("", include((catalogue, "tracker"))),
    path("api/", include("tracker.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
