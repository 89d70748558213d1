"""What is kept of each cited source: snapshots of its bytes, and its link's history.

- `SourceSnapshot`: one capture attempt. A captured one holds the bytes exactly as the
  outlet sent them (in the private "snapshots" storage), their SHA-256, the status, type,
  final address and time; a failed one holds why, and is retried with back-off.
- `SourceCheck`: one look at the link later (is the page still there?).
- `SourceStatus`: per source, the latest captured snapshot and the link's current state,
  kept up to date by the tasks, so the case page, export and API read it with a join.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tracker.storage import SNAPSHOTS

from .fetch import ErrorKind


def snapshot_storage():
    # settings.STORAGES["snapshots"]: the local disk, or the object store with S3_BUCKET.
    # Follows the setting when a test changes it (tracker/storage.py).
    return SNAPSHOTS


def snapshot_path(snapshot, _filename):
    return f"snapshots/{snapshot.fetched_at:%Y/%m}/{snapshot.sha256}"


class SourceSnapshot(models.Model):
    class Outcome(models.TextChoices):
        CAPTURED = "captured", _("captured")
        FAILED = "failed", _("failed")

    # A snapshot taken when a moderator verified a submission's source belongs to that
    # source; publishing copies the source onto the case and hands the snapshot over.
    # SET_NULL, not CASCADE: evidence outlives a draft case that is declined and deleted.
    source = models.ForeignKey(
        "tracker.Source",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="snapshots",
    )
    submission_source = models.ForeignKey(
        "submissions.SubmissionSource",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="snapshots",
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    error = models.CharField(_("error"), max_length=30, choices=ErrorKind.choices, blank=True)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    requested_url = models.CharField(_("requested address"), max_length=2000)
    final_url = models.CharField(
        _("final address"), max_length=2000, blank=True, help_text=_("After redirects.")
    )
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    content_type = models.CharField(_("content type"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    sha256 = models.CharField(
        _("SHA-256"),
        max_length=64,
        blank=True,
        help_text=_("Hash of the bytes exactly as received; anyone can recompute it."),
    )
    content = models.FileField(
        _("bytes as received"), storage=snapshot_storage, upload_to=snapshot_path, blank=True
    )
    text = models.TextField(_("extracted text"), blank=True)
    fetched_at = models.DateTimeField(_("fetched at"))
    via_proxy = models.BooleanField(_("through the proxy"), default=False)

    class Meta:
        ordering = ["-fetched_at", "-id"]
        verbose_name = _("source snapshot")
        verbose_name_plural = _("source snapshots")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="failed") | (~Q(sha256="") & ~Q(content="")),
                name="preservation_snapshot_captured_has_bytes",
            ),
            models.CheckConstraint(
                condition=Q(outcome="captured") | ~Q(error=""),
                name="preservation_snapshot_failed_has_error",
            ),
        ]

    def __str__(self):
        return f"{self.requested_url} @ {self.fetched_at:%Y-%m-%d %H:%M} ({self.outcome})"

    def get_absolute_url(self):
        return reverse("moderation:snapshot", args=[self.pk])

    @property
    def is_captured(self):
        return self.outcome == self.Outcome.CAPTURED


class SourceCheck(models.Model):
    class Result(models.TextChoices):
        OK = "ok", _("online")
        GONE = "gone", _("gone")
        UNREACHABLE = "unreachable", _("unreachable")

    source = models.ForeignKey("tracker.Source", on_delete=models.CASCADE, related_name="checks")
    checked_at = models.DateTimeField(_("checked at"))
    result = models.CharField(_("result"), max_length=12, choices=Result.choices)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=30, choices=ErrorKind.choices, blank=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = _("link check")
        verbose_name_plural = _("link checks")
        indexes = [models.Index(fields=["source", "-checked_at"], name="sourcecheck_latest_idx")]

    def __str__(self):
        return f"{self.source_id} @ {self.checked_at:%Y-%m-%d %H:%M}: {self.result}"


class SourceStatus(models.Model):
    """The current state of one source, for pages and exports (one join, no history)."""

    class Link(models.TextChoices):
        UNCHECKED = "unchecked", _("not checked yet")
        ONLINE = "online", _("online")
        OFFLINE = "offline", _("offline")
        UNREACHABLE = "unreachable", _("unreachable")

    source = models.OneToOneField(
        "tracker.Source", on_delete=models.CASCADE, primary_key=True, related_name="preservation"
    )
    snapshot = models.ForeignKey(
        SourceSnapshot,
        verbose_name=_("latest captured snapshot"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    link_status = models.CharField(
        _("link status"), max_length=12, choices=Link.choices, default=Link.UNCHECKED
    )
    link_checked_at = models.DateTimeField(_("link checked at"), null=True, blank=True)
    wayback_url = models.URLField(
        _("Wayback Machine copy"),
        max_length=2000,
        blank=True,
        help_text=_("Set only when SOURCE_WAYBACK_SAVE is on: the address of the saved copy."),
    )
    offline_since = models.DateTimeField(
        _("offline since"),
        null=True,
        blank=True,
        help_text=_("First check of the current run of failed checks that found the page gone."),
    )

    class Meta:
        ordering = ["source"]
        verbose_name = _("source status")
        verbose_name_plural = _("source statuses")
        indexes = [
            # The moderators' list of dead sources.
            models.Index(
                fields=["link_status"],
                name="sourcestatus_dead_idx",
                condition=Q(link_status__in=["offline", "unreachable"]),
            )
        ]

    def __str__(self):
        return f"{self.source_id}: {self.link_status}"

    @property
    def is_offline(self):
        return self.link_status == self.Link.OFFLINE
