from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import SourceCheck, SourceSnapshot


class ReadOnlyAdmin(admin.ModelAdmin):
    """Evidence: administrators may look, never change (the tasks alone write these)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SourceSnapshot)
class SourceSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["requested_url", "outcome", "error", "status_code", "fetched_at", "sha256"]
    list_filter = ["outcome", "error"]
    search_fields = ["requested_url", "final_url", "sha256"]
    # The file has no URL (private storage); moderators open it through their own view.
    exclude = ["text", "content"]
    readonly_fields = ["stored_as"]
    raw_id_fields = ["source", "submission_source"]

    @admin.display(description=_("stored as"))
    def stored_as(self, snapshot):
        return snapshot.content.name or "—"


@admin.register(SourceCheck)
class SourceCheckAdmin(ReadOnlyAdmin):
    list_display = ["source", "checked_at", "result", "status_code", "error"]
    list_filter = ["result", "error"]
    raw_id_fields = ["source"]
