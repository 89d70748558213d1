from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreservationConfig(AppConfig):
    """Source preservation: snapshots of cited sources, their hashes and link checks.

    An app of its own inside the tracker package (the top-level layout is fixed): its
    models and migrations stay apart from tracker's, so it merges without touching them.
    """

    name = "tracker.preservation"
    label = "preservation"
    verbose_name = _("source preservation")
    default_auto_field = "django.db.models.BigAutoField"
