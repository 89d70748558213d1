from django.contrib import admin, messages
from django.utils.translation import gettext_lazy, ngettext

from . import case_admin, services  # noqa: F401 (case_admin registers the case admin)
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

    def has_delete_permission(self, request, obj=None):
        # Declining a draft goes through the review screen, which also tells the submission.
        return False

    actions = ["approve_publications"]

    @admin.action(description=gettext_lazy("Approve the selected publications"))
    def approve_publications(self, request, queryset):
        """The same approval as the review screen's: another moderator than the one who
        asked, and only while it is still pending."""
        approved = 0
        for approval in queryset.pending().select_related("submission"):
            try:
                services.approve_publication(approval.submission, moderator=request.user)
            except services.ModerationError as error:
                self.message_user(request, str(error), messages.WARNING)
            else:
                approved += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d publication approved.", "%(count)d publications approved.", approved
            )
            % {"count": approved},
        )
