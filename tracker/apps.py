from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Case catalogue")

    def ready(self):
        # Connects the receivers that keep cached public pages fresh and the cases'
        # lookup columns in sync, and registers the checks of the object store and the
        # read replicas (tag "services").
        from . import cache, checks, lookups  # noqa: F401
