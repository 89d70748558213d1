from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from .cases import Case, Translated, translated_property
from .facts import DatePrecision


class CaseOutcome(models.Model):
    """What followed a refusal; a case may have several."""

    class Outcome(models.TextChoices):
        DISMISSED = "dismissed", _("dismissed")
        THREATENED_PROSECUTION = "threatened_prosecution", _("threatened with prosecution")
        CRIMINAL_CASE = "criminal_case", _("criminal case opened")
        PRESSURED_WITHDRAW = "pressured_withdraw", _("pressured into withdrawing the refusal")
        SENT_BACK = "sent_back", _("sent back to the front")
        RECORD_STAMPED = "record_stamped", _("service record stamped")
        COURT_PENDING = "court_pending", _("went to court: pending")
        COURT_REJECTED = "court_rejected", _("went to court: rejected")
        COURT_PARTLY_GRANTED = "court_partly_granted", _("went to court: partly granted")
        CONTRACT_TERMINATED = "contract_terminated", _("contract terminated")
        NOTHING_KNOWN = "nothing_known", _("nothing known")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outcome_rows")
    outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome.choices)

    class Meta:
        ordering = ["case", "outcome"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "outcome"], name="tracker_caseoutcome_unique_per_case"
            ),
        ]
        # The outcome filter runs EXISTS (… WHERE outcome = %s AND case_id = …).
        indexes = [models.Index(fields=["outcome", "case"], name="caseoutcome_outcome_idx")]

    def __str__(self):
        return self.get_outcome_display()


# Dated sources first, oldest first, on SQLite and PostgreSQL alike (they place NULL
# differently by default). The case page, the export and the API list sources in this order.
SOURCE_ORDER = (models.F("published_on").asc(nulls_last=True), "id")


class Source(models.Model):
    """A publication that reports a case, checked by a moderator."""

    class Language(models.TextChoices):
        RUSSIAN = "ru", _("Russian")
        ENGLISH = "en", _("English")
        UKRAINIAN = "uk", _("Ukrainian")
        OTHER = "other", pgettext_lazy("language", "other")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sources")
    outlet = models.CharField(_("outlet"), max_length=200)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.OTHER
    )
    archive_url = models.URLField(_("archived copy"), max_length=1000, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The moderator who checked that the source says what the case says."),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    class Meta:
        ordering = [*SOURCE_ORDER]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        # The outlet filter runs EXISTS (… WHERE case_id = … AND outlet LIKE …).
        indexes = [models.Index(fields=["case", "outlet"], name="source_case_outlet_idx")]

    def __str__(self):
        if self.published_on:
            return f"{self.outlet}, {self.published_on:%Y-%m-%d}"
        return self.outlet


class CaseEvent(Translated, models.Model):
    """A dated event after the refusal: a dismissal, a lawsuit, a ruling."""

    class Kind(models.TextChoices):
        DISMISSAL = "dismissal", _("dismissal")
        LAWSUIT_FILED = "lawsuit_filed", _("lawsuit filed")
        RULING = "ruling", _("court ruling")
        APPEAL = "appeal", _("appeal")
        CRIMINAL_CASE = "criminal_case", _("criminal case")
        SENT_BACK = "sent_back", _("sent back to the front")
        CONTRACT_TERMINATED = "contract_terminated", _("contract terminated")
        OTHER = "other", pgettext_lazy("event", "other")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    date = models.DateField(_("date"))
    date_precision = models.CharField(
        _("date precision"), max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    # In each content language, like the case's title and summary; the case's original
    # language's version is the one shown where the reader's is missing.
    description_en = models.TextField(_("what happened (English)"), blank=True)
    description_ru = models.TextField(_("what happened (Russian)"), blank=True)
    description_uk = models.TextField(_("what happened (Ukrainian)"), blank=True)

    description = translated_property("description")

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")

    def __str__(self):
        return f"{self.date:%Y-%m-%d}: {self.get_kind_display()}"

    @property
    def original_language(self):
        # The case is already known when events are read through case.events (no query).
        return self.case.original_language if self.case_id else "en"


class CaseCorrection(models.Model):
    """A public line saying that a published case changed: what changed, stored as data
    (`changes`) and worded in the reader's language when shown, with the moderator's
    optional note beside it. Written only by moderation's services."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="corrections")
    made_at = models.DateTimeField(_("made at"), default=timezone.now)
    changes = models.JSONField(
        _("what changed"),
        default=dict,
        blank=True,
        help_text=_(
            "'fields': the changed facts; 'sources_added', 'sources_removed': numbers; "
            "'merged': a further report was merged in."
        ),
    )
    note = models.CharField(_("moderator's note"), max_length=300, blank=True)

    class Meta:
        ordering = ["made_at", "id"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self):
        return f"{self.made_at:%Y-%m-%d}: {self.description()}"

    def description(self):
        """What changed, in the active language, from `changes` alone: it never says more
        or less than what the service recorded."""
        return correction_description(self.changes)


# Names of what a change may touch beside the facts, as a correction line words them.
CHANGE_LABELS = {
    "outcomes": _("what followed"),
    "sources": _("sources"),
    "events": _("timeline events"),
    "related_cases": _("related cases"),
}


def change_label(name):
    """The reader's word for a changed fact or collection."""
    if name in CHANGE_LABELS:
        return str(CHANGE_LABELS[name])
    try:
        return str(Case._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def correction_description(changes):
    parts = []
    if changes.get("merged"):
        parts.append(str(_("Information from a further report was added.")))
    fields = [change_label(name) for name in changes.get("fields", [])]
    if fields:
        parts.append(str(_("Corrected: %(fields)s.")) % {"fields": ", ".join(fields)})
    added, removed = changes.get("sources_added", 0), changes.get("sources_removed", 0)
    if added:
        parts.append(
            ngettext("%(count)d source added.", "%(count)d sources added.", added)
            % {"count": added}
        )
    if removed:
        parts.append(
            ngettext("%(count)d source removed.", "%(count)d sources removed.", removed)
            % {"count": removed}
        )
    return " ".join(parts)
