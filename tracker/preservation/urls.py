from django.urls import path

from . import views

app_name = "preservation"

# Included at the site's root by tracker/urls.py: the moderator pages live under
# /moderation/ with the other moderation views, the public copy under its case.
urlpatterns = [
    path("moderation/sources/dead/", views.dead_sources, name="dead_sources"),
    path("moderation/snapshots/<int:pk>/", views.snapshot, name="snapshot"),
    path("moderation/snapshots/<int:pk>/raw/", views.snapshot_raw, name="snapshot_raw"),
    path("moderation/cases/<int:pk>/evidence.zip", views.evidence_bundle, name="evidence_bundle"),
    path(
        "cases/<int:pk>/sources/<int:source_pk>/archived/",
        views.public_snapshot,
        name="public_snapshot",
    ),
]
