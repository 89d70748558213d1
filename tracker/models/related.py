from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from .cases import Case, Translated
from .facts import DatePrecision, OriginalCharField, OriginalTextField


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
        LAWSUIT_WITHDRAWN = "lawsuit_withdrawn", _("lawsuit withdrawn under pressure")
        KEPT_IN_SERVICE = "kept_in_service", _("kept in service / not deployed")
        TRANSFERRED = "transferred", _("moved to another unit or back to conscript service")
        PAY_WITHHELD = "pay_withheld", _("pay or benefits withheld")
        RELATIVES_PRESSURED = "relatives_pressured", _("relatives pressured")
        COMPLAINT_FILED = "complaint_filed", _("complaint filed")
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


class AccountFrom(models.TextChoices):
    """Who a source's account of a case comes from: what the confidence rule reads
    (tracker/grading.py)."""

    SERVICEMAN = "serviceman", _("the serviceman himself")
    RELATIVE = "relative", _("a relative")
    LAWYER = "lawyer", _("a lawyer or human rights defender")
    DOCUMENT = "document", _("a court or military document")
    UNNAMED = "unnamed", _("an unnamed source")
    PARTY_OFFICIAL = "party_official", _("an official of a party to the war")
    UNKNOWN = "unknown", _("not stated")


class SourceProvenance(models.Model):
    """What the confidence rule needs to know of a source beside its independence: who the
    account comes from, and whether the source says it could not confirm the account. A
    case's sources and a report's sources both have it (a report's source states its
    independence as `independent`, a case's as `relays`)."""

    AccountFrom = AccountFrom

    account_from = models.CharField(
        _("the account comes from"),
        max_length=20,
        choices=AccountFrom.choices,
        default=AccountFrom.UNKNOWN,
        help_text=_(
            "Whose account the source gives: the serviceman, a relative, a lawyer, a court or "
            "military document, an unnamed source, an official of a party to the war."
        ),
    )
    says_unconfirmed = models.BooleanField(
        _("says it could not confirm"),
        default=False,
        help_text=_(
            "The source itself says the account is not confirmed (or may be fake); it then "
            "supports no grade above unconfirmed."
        ),
    )

    class Meta:
        abstract = True


class Source(SourceProvenance):
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
    published_on_precision = models.CharField(
        _("publication date precision"),
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("How exact published_on is; with 'month' it is the first day of the month."),
    )
    relays = models.BooleanField(
        _("relays another source"),
        default=False,
        help_text=_(
            "The source repeats what another publication or person reported, without its own "
            "check; it is not independent of that source."
        ),
    )
    relayed_source = models.CharField(
        _("relayed source"),
        max_length=200,
        blank=True,
        help_text=_("Whom the source relays, when it does (e.g. 'Novy Fokus', 'a lawyer')."),
    )
    cited_in = models.CharField(
        _("cited in"),
        max_length=300,
        blank=True,
        help_text=_(
            "Where the source is cited from when its own address is not established, e.g. "
            "'Mediazona, 8 June 2022'."
        ),
    )
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
        # A dated source says how exact its date is. (An undated one is saved with
        # precision "unknown", but rows made in bulk may keep the default.)
        constraints = [
            models.CheckConstraint(
                condition=Q(published_on__isnull=True)
                | ~Q(published_on_precision=DatePrecision.UNKNOWN),
                name="tracker_source_dated_has_precision",
            ),
        ]

    def __str__(self):
        if self.published_on:
            return f"{self.outlet}, {self.published_on_text()}"
        return self.outlet

    def save(self, *args, **kwargs):
        # A date without a stated precision is a day; no date is an unknown one.
        if self.published_on is None:
            self.published_on_precision = DatePrecision.UNKNOWN
        elif self.published_on_precision == DatePrecision.UNKNOWN:
            self.published_on_precision = DatePrecision.DAY
        super().save(*args, **kwargs)

    def published_on_text(self):
        """The publication date as exactly as it is known: 2022-06-08, 2022-05 or 2022."""
        return date_text(self.published_on, self.published_on_precision)


def date_text(value, precision):
    if value is None:
        return ""
    if precision == DatePrecision.MONTH:
        return f"{value:%Y-%m}"
    if precision == DatePrecision.YEAR:
        return f"{value:%Y}"
    return f"{value:%Y-%m-%d}"


class LegalBasis(models.TextChoices):
    """What a legal step rests on: an article of the Criminal Code, or the ground of a
    dismissal that is not a crime."""

    CC_332 = "cc_332", _("Criminal Code art. 332: failure to obey an order")
    CC_337 = "cc_337", _("Criminal Code art. 337: leaving the unit without permission")
    CC_338 = "cc_338", _("Criminal Code art. 338: desertion")
    CC_339 = "cc_339", _("Criminal Code art. 339: evading service by deception or self-injury")
    CC_OTHER = "cc_other", _("Criminal Code: another article")
    DISMISSAL_CONTRACT = (
        "dismissal_contract",
        _("dismissal: failure to fulfil the terms of the contract"),
    )
    DISMISSAL_DISCIPLINE = "dismissal_discipline", _("dismissal: disciplinary offence")
    ADMINISTRATIVE = "administrative", _("administrative offence (e.g. 'discrediting' the army)")
    OTHER = "other", pgettext_lazy("legal basis", "other")


class LegalResult(models.TextChoices):
    PENDING = "pending", _("pending")
    REJECTED = "rejected", _("rejected")
    GRANTED = "granted", _("granted")
    PARTLY_GRANTED = "partly_granted", _("partly granted")
    WITHDRAWN = "withdrawn", _("withdrawn")


# The kinds of timeline event that are steps of legal proceedings.
LEGAL_KINDS = (
    "lawsuit_filed",
    "hearing",
    "ruling",
    "appeal",
    "lawsuit_withdrawn",
    "criminal_case",
    "complaint_filed",
)


class CaseEvent(Translated, models.Model):
    """A dated event after the refusal: a dismissal, a lawsuit, a ruling. Steps of legal
    proceedings (LEGAL_KINDS) also say which court, on what basis, for how many claimants,
    with what result, and whether the hearing was closed."""

    LegalBasis = LegalBasis
    Result = LegalResult

    class Kind(models.TextChoices):
        DISMISSAL = "dismissal", _("dismissal")
        LAWSUIT_FILED = "lawsuit_filed", _("lawsuit filed")
        HEARING = "hearing", _("court hearing")
        RULING = "ruling", _("court ruling")
        APPEAL = "appeal", _("appeal")
        LAWSUIT_WITHDRAWN = "lawsuit_withdrawn", _("lawsuit withdrawn")
        CRIMINAL_CASE = "criminal_case", _("criminal case")
        COMPLAINT_FILED = "complaint_filed", _("complaint filed")
        SENT_BACK = "sent_back", _("sent back to the front")
        CONTRACT_TERMINATED = "contract_terminated", _("contract terminated")
        OTHER = "other", pgettext_lazy("event", "other")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    date = models.DateField(_("date"))
    date_precision = models.CharField(
        _("date precision"), max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    # In each content language, like the case's title and summary (description_en, …,
    # added by modeltranslation: tracker/translation.py); the case's original language's
    # version is the one shown where the reader's is missing, and the one this holds.
    description = OriginalTextField(_("what happened"), blank=True, editable=False)
    court = models.CharField(
        _("court"),
        max_length=200,
        blank=True,
        help_text=_("The court or body, as the sources name it (e.g. 'Nalchik garrison court')."),
    )
    legal_basis = models.CharField(
        _("legal basis"),
        max_length=30,
        choices=LegalBasis.choices,
        blank=True,
        help_text=_("The article or dismissal ground the step is about."),
    )
    claimants = models.PositiveIntegerField(
        _("claimants"),
        null=True,
        blank=True,
        help_text=_("How many people the claim or case is for; empty when not known."),
    )
    result = models.CharField(
        _("result"),
        max_length=20,
        choices=LegalResult.choices,
        blank=True,
        help_text=_("Where the proceedings stood after this step."),
    )
    closed_hearing = models.BooleanField(
        _("closed hearing"),
        null=True,
        blank=True,
        help_text=_("Heard behind closed doors; empty when not known."),
    )

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        constraints = [
            models.CheckConstraint(
                condition=Q(claimants__isnull=True) | Q(claimants__gte=1),
                name="tracker_caseevent_claimants_positive",
                violation_error_message=_("The number of claimants is at least 1."),
            ),
            # Court, basis, claimants, result and closed hearing belong to legal steps.
            models.CheckConstraint(
                condition=Q(kind__in=LEGAL_KINDS)
                | Q(court="", legal_basis="", claimants__isnull=True, result="")
                & Q(closed_hearing__isnull=True),
                name="tracker_caseevent_legal_fields_on_legal_steps",
                violation_error_message=_(
                    "Court, legal basis, claimants, result and closed hearing belong to steps "
                    "of legal proceedings (lawsuit, hearing, ruling, appeal, withdrawal, "
                    "criminal case, complaint)."
                ),
            ),
        ]
        # The listing's court filter reads the latest legal step of each case.
        indexes = [models.Index(fields=["case", "-date", "-id"], name="caseevent_case_date_idx")]

    def __str__(self):
        return f"{date_text(self.date, self.date_precision)}: {self.get_kind_display()}"

    @property
    def is_legal_step(self):
        return self.kind in LEGAL_KINDS

    @property
    def original_language(self):
        # The case is already known when events are read through case.events (no query).
        return self.case.original_language if self.case_id else "en"


class CaseCorrection(Translated, models.Model):
    """A public line saying that a published case changed: what changed, stored as data
    (`changes`) and worded in the reader's language when shown, with the moderator's
    optional note beside it, in each content language (note_en, …; the reader's version
    or the case's original). Written only by moderation's services."""

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
    # note_en, note_ru, note_uk: tracker/translation.py; this column holds the original's.
    note = OriginalCharField(_("moderator's note"), max_length=300, blank=True, editable=False)

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

    @property
    def original_language(self):
        # The case is known when corrections are read through case.corrections (no query).
        return self.case.original_language if self.case_id else "en"

    @property
    def note_language(self):
        """The language `note` is shown in (its `lang` attribute on the case page)."""
        return self.shown_language("note")


# Names of what a change may touch beside the facts, as a correction line words them.
CHANGE_LABELS = {
    "outcomes": _("what followed"),
    "sources": _("sources"),
    "events": _("timeline events"),
    "related_cases": _("related cases"),
    "possible_duplicates": _("possible duplicates"),
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
