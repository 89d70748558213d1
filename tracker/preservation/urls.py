from django.urls import path

from . import views

app_name = "preservation"

# Included at the site's root by tracker/urls.py: the public copy under its case. The
# moderators' snapshot pages are moderation's (moderation/urls.py).
urlpatterns = [
    path(
        "cases/<int:pk>/sources/<int:source_pk>/archived/",
        views.public_snapshot,
        name="public_snapshot",
    ),
]
