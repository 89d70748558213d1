from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ModerationRights(models.Model):
    """Holds the moderation permissions; has no table.

    The "Moderators" group (created by a data migration) gets `moderate` and
    `view_contact`. Every view under /moderation/ checks `moderate`; the decrypted contact
    also needs `view_contact`, so an administrator can make a group that reviews reports
    without seeing who sent them.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("moderate", _("Can use the review queue and decide submissions")),
            ("view_contact", _("Can see a submitter's contact details")),
        ]
        verbose_name = _("moderation rights")
        verbose_name_plural = _("moderation rights")

    def __str__(self):
        return str(self._meta.verbose_name)


class AuditEventQuerySet(models.QuerySet):
    """Append-only: rows can be added, never changed or removed through the ORM."""

    def update(self, **kwargs):
        raise AuditLogIsAppendOnly(_("Audit events cannot be changed."))

    def delete(self):
        raise AuditLogIsAppendOnly(_("Audit events cannot be deleted."))


class AuditLogIsAppendOnly(Exception):
    pass


# Shown as the actor of the submitter's own transitions.
SUBMITTER_NAME = _("the submitter")


class AuditEvent(models.Model):
    """Who did what, when, to which submission or case. Written by moderation/services.py."""

    class Action(models.TextChoices):
        CLAIM = "claim", _("claimed")
        RELEASE = "release", _("released")
        VERIFY_SOURCE = "verify_source", _("verified a source")
        VIEW_CONTACT = "view_contact", _("viewed the contact")
        ASK = "ask", _("asked the submitter")
        PUBLISH = "publish", _("published as a new case")
        REQUEST_APPROVAL = "request_approval", _("asked a second moderator to approve")
        APPROVE = "approve", _("approved the publication")
        DECLINE = "decline", _("sent the draft back")
        MERGE = "merge", _("merged into a case")
        REJECT = "reject", _("rejected")
        UNDO_REJECTION = "undo_rejection", _("undid the rejection")
        RETRACT = "retract", _("retracted the case")
        EDIT_CASE = "edit_case", _("edited the case")
        # The submitter's own transitions (no account: actor is empty).
        SUBMIT = "submit", _("report received")
        ANSWER = "answer", _("submitter answered")
        WITHDRAW = "withdraw", _("submitter withdrew the report")

    at = models.DateTimeField(_("when"), default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    actor_name = models.CharField(
        _("user name"),
        max_length=150,
        editable=False,
        help_text=_("Kept so the record still says who it was if the account is deleted."),
    )
    action = models.CharField(_("what"), max_length=30, choices=Action.choices, editable=False)
    submission = models.ForeignKey(
        "submissions.Submission",
        verbose_name=_("submission"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
        editable=False,
    )
    case = models.ForeignKey(
        "tracker.Case",
        verbose_name=_("case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
        editable=False,
    )
    note = models.TextField(_("note"), blank=True, editable=False)
    details = models.JSONField(
        _("details"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("Structured facts of the action; never the submitter's text or contact."),
    )

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["submission", "-at"], name="audit_submission_idx"),
            models.Index(fields=["case", "-at"], name="audit_case_idx"),
        ]

    def __str__(self):
        who = self.actor_name or SUBMITTER_NAME
        return f"{self.at:%Y-%m-%d %H:%M} {who}: {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogIsAppendOnly(_("Audit events cannot be changed."))
        if self.actor is not None and not self.actor_name:
            self.actor_name = self.actor.get_username()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly(_("Audit events cannot be deleted."))


class PublicationApprovalQuerySet(models.QuerySet):
    def pending(self):
        """Publications still waiting for the second moderator."""
        return self.filter(approved_at__isnull=True)


class PublicationApproval(models.Model):
    """A publication waiting for a second moderator (the four-eyes rule).

    The case exists as a draft, never public, until another moderator approves it.
    """

    submission = models.OneToOneField(
        "submissions.Submission",
        on_delete=models.CASCADE,
        related_name="publication_approval",
    )
    case = models.OneToOneField(
        "tracker.Case", on_delete=models.CASCADE, related_name="publication_approval"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = PublicationApprovalQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("publication approval")
        verbose_name_plural = _("publication approvals")
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("requested_by")),
                name="moderation_approval_by_second_moderator",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True, approved_at__isnull=True)
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="moderation_approval_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.case} ({self.requested_by})"

    @property
    def is_pending(self):
        return self.approved_at is None
