from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from django_otp.admin import OTPAdminSite

from . import exports, feeds, stats, views
from .security import origin_checked

catalogue = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon),
    path("cases/", views.case_list, name="case_list"),
    path("cases/export.csv", exports.export_csv, name="case_export_csv"),
    path("cases/export.json", exports.export_json, name="case_export_json"),
    path("cases/feed/", feeds.case_feed, name="case_feed"),
    path("cases/feed/style.xsl", feeds.case_feed_style, name="case_feed_style"),
    path("data/", exports.data_dictionary, name="data_dictionary"),
    path("methodology/", views.methodology, name="methodology"),
    path("stats/", stats.stats, name="stats"),
    path("stats/<slug:chart_id>.svg", stats.chart_svg, name="stats_chart_svg"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/<slug:slug>/", views.case_detail, name="case_detail_slug"),
]

# The admin asks for the same second factor as the moderation pages (django-otp's
# documented way to protect the default site and everything registered on it).
admin.site.__class__ = OTPAdminSite

urlpatterns = [
    path("", include((catalogue, "tracker"))),
    path("submit/", include("submissions.urls")),
    path("api/", include("tracker.api.urls")),
    # The language switcher on every page, checked by origin instead of a CSRF token.
    path("i18n/setlang/", origin_checked(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("accounts/", include("moderation.account_urls")),
    path("moderation/", include("moderation.urls")),
    path("", include("tracker.preservation.urls")),
]

# Renders the 500 page without the database, and the 503 page when the database failed.
handler500 = "tracker.security.server_error"
