from django.contrib import admin

from .models import AuditEvent, PublicationApproval


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only, also for administrators."""

    list_display = ["at", "actor_name", "action", "submission", "case", "note"]
    list_filter = ["action", "at"]
    search_fields = ["actor_name", "note", "=submission__id", "=case__id"]
    date_hierarchy = "at"
    list_select_related = ["submission", "case"]
    fields = ["at", "actor_name", "action", "submission", "case", "note", "details"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PublicationApproval)
class PublicationApprovalAdmin(admin.ModelAdmin):
    list_display = ["case", "requested_by", "requested_at", "approved_by", "approved_at"]
    readonly_fields = [
        "submission",
        "case",
        "requested_by",
        "requested_at",
        "approved_by",
        "approved_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
