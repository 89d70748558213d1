import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tracker.models import Case, CaseOutcome, ReportedFacts, SourceProvenance
from tracker.privacy import coarse_now
from tracker.storage import PrivateFileSystemStorage, attachment_storage


class PrivateStorage(PrivateFileSystemStorage):
    """Kept for migration 0001: attachments now use settings.STORAGES["default"]
    (tracker.storage.attachment_storage)."""


def random_upload_name(instance, filename):
    """A random stored name; the submitter's file name is never kept (it may identify them)."""
    suffix = PurePosixPath(filename).suffix.lower()[:6]
    return f"submissions/{secrets.token_hex(16)}{suffix}"


class SubmissionStatus(models.TextChoices):
    NEW = "new", _("new")
    # Beyond a client's hourly budget (SUBMISSIONS_PER_HOUR): kept apart, not refused.
    HELD = "held", _("held (over a client's hourly limit)")
    IN_REVIEW = "in_review", _("in review")
    NEEDS_INFO = "needs_info", _("waiting for the submitter")
    ANSWERED = "answered", _("submitter answered")
    PUBLISHED = "published", _("published")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


class CoarseUpdateTimeField(models.DateTimeField):
    """Like auto_now, but to the hour (tracker.privacy.coarse_now)."""

    def pre_save(self, model_instance, add):
        value = coarse_now()
        setattr(model_instance, self.attname, value)
        return value


class SubmissionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=Submission.OPEN_STATUSES)


class Submission(ReportedFacts):
    """What a member of the public sends. Never shown on public pages."""

    Status = SubmissionStatus

    class Relation(models.TextChoices):
        SELF = "self", _("it happened to me")
        RELATIVE = "relative", _("a relative or friend")
        COLLEAGUE = "colleague", _("a fellow serviceman")
        LAWYER = "lawyer", _("a lawyer")
        JOURNALIST = "journalist", _("a journalist or researcher")
        OTHER = "other", pgettext_lazy("relation", "other")

    class RejectionReason(models.TextChoices):
        SPAM = "spam", _("spam")
        DUPLICATE = "duplicate", _("duplicate of another report or case")
        OUT_OF_SCOPE = "out_of_scope", _("out of scope")
        UNVERIFIABLE = "unverifiable", _("could not be verified")
        UNSAFE = "unsafe", _("unsafe to publish")

    OPEN_STATUSES = [
        Status.NEW,
        Status.IN_REVIEW,
        Status.NEEDS_INFO,
        Status.ANSWERED,
        Status.HELD,
    ]
    # The review queue by default: held reports are kept apart (moderation/views/queue.py).
    QUEUE_STATUSES = [Status.NEW, Status.IN_REVIEW, Status.NEEDS_INFO, Status.ANSWERED]
    DECIDED_STATUSES = [Status.PUBLISHED, Status.REJECTED, Status.WITHDRAWN]

    receipt_hash = models.CharField(
        max_length=64,
        unique=True,
        editable=False,
        help_text=_("Keyed hash of the receipt code; the code itself is never stored."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)

    what_happened = models.TextField(_("what happened"))
    # The structured answers are ReportedFacts, every one optional.
    outcomes = models.JSONField(
        _("what followed"),
        default=list,
        blank=True,
        help_text=_("Values of CaseOutcome.Outcome."),
    )
    relation = models.CharField(
        _("how the submitter knows"), max_length=20, choices=Relation.choices
    )
    contact_encrypted = models.TextField(
        blank=True,
        editable=False,
        help_text=_("The submitter's contact, encrypted; deleted some days after the decision."),
    )
    contact_purged_at = models.DateTimeField(null=True, blank=True, editable=False)
    consent_to_publish = models.BooleanField(_("consent to publish a summary"), default=False)

    # To the hour (SUBMITTER_TIME_RESOLUTION_SECONDS): no fine-grained trace of a sender.
    created_at = models.DateTimeField(default=coarse_now, editable=False)
    updated_at = CoarseUpdateTimeField(default=coarse_now, editable=False)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("claimed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claimed_submissions",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(
        _("rejection reason"), max_length=20, choices=RejectionReason.choices, blank=True
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
        help_text=_("The case this submission was published as or merged into."),
    )

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=SubmissionStatus.REJECTED) | ~Q(rejection_reason=""),
                name="submissions_rejected_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=SubmissionStatus.PUBLISHED) | Q(case__isnull=False),
                name="submissions_published_has_case",
            ),
            models.CheckConstraint(
                condition=~Q(status=SubmissionStatus.IN_REVIEW) | Q(claimed_by__isnull=False),
                name="submissions_in_review_is_claimed",
            ),
            models.CheckConstraint(
                condition=Q(people_count__isnull=True) | Q(people_count__gte=1),
                name="submissions_people_count_positive",
            ),
        ]
        indexes = [
            # The moderation queue: by state, oldest first.
            models.Index(fields=["status", "created_at"], name="submission_queue_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} ({self.get_status_display()}, {self.created_at:%Y-%m-%d})"

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    def get_outcomes_display(self):
        return [CaseOutcome.Outcome(value).label for value in self.outcomes]


class SubmissionSource(SourceProvenance):
    """A link the submitter gave, with the moderator's verification of it."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="sources")
    url = models.URLField(_("link"), max_length=1000, blank=True)
    outlet = models.CharField(_("outlet"), max_length=200, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)

    reachable = models.BooleanField(_("reachable"), null=True, blank=True)
    supports_report = models.BooleanField(_("says what the report says"), null=True, blank=True)
    independent = models.BooleanField(_("independent of the other sources"), null=True, blank=True)
    verification_note = models.TextField(_("verification note"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submission", "id"]
        verbose_name = _("submitted source")
        verbose_name_plural = _("submitted sources")
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(outlet=""),
                name="submissions_source_has_link_or_outlet",
            ),
        ]

    def __str__(self):
        return self.outlet or self.url

    @property
    def is_verified(self):
        """Verified means a moderator checked it is reachable and says what the report says."""
        return bool(self.verified_at and self.reachable and self.supports_report)


class Message(models.Model):
    """A moderator's question to the submitter, or the submitter's answer."""

    class Author(models.TextChoices):
        MODERATOR = "moderator", _("moderator")
        SUBMITTER = "submitter", _("submitter")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(max_length=20, choices=Author.choices)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(_("text"))
    # To the hour: a submitter's answer is their action (moderators' questions too, alike).
    created_at = models.DateTimeField(default=coarse_now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self):
        return f"{self.get_author_kind_display()} on #{self.submission_id}"


class Attachment(models.Model):
    """A file the submitter sent: an image rebuilt from its pixels, or a PDF rewritten
    without scripts, actions, attachments, forms and metadata."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("image")
        PDF = "pdf", _("PDF")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        help_text=_("Set when the file came with an answer to a question."),
    )
    # The local disk under MEDIA_ROOT, or the object store with S3_BUCKET (tracker/storage.py).
    file = models.FileField(upload_to=random_upload_name, storage=attachment_storage)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    metadata_removed = models.BooleanField(
        default=False,
        help_text=_("True for files rebuilt without metadata (every image and PDF since then)."),
    )
    created_at = models.DateTimeField(default=coarse_now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class UsedFormToken(models.Model):
    """A submission form's one-time token that already created a submission: a refresh or
    a second click on "send" finds it here and creates nothing. Rows older than
    SUBMISSION_FORM_MAX_AGE are useless (the signed token has expired) and are deleted."""

    token_hash = models.CharField(max_length=64, unique=True)
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    used_at = models.DateTimeField(default=coarse_now, editable=False, db_index=True)

    class Meta:
        ordering = ["used_at", "id"]
        verbose_name = _("used form token")
        verbose_name_plural = _("used form tokens")

    def __str__(self):
        return f"{self.token_hash[:12]}… ({self.used_at:%Y-%m-%d %H:%M})"
