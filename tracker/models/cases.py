import json

from django.db import connections, models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .facts import (
    CONTENT_LANGUAGES,
    TRANSLATED_FACTS,
    CaseFacts,
    Confidence,
    DatePrecision,
    OriginalTextField,
    PeopleQualifier,
    translated,
)
from .possible_dates import EARLIEST, LATEST, possible_dates_field


def content_language(language=None):
    """The content language that matches `language` (default: the active interface
    language); English for anything else."""
    language = (language or get_language() or "en")[:2]
    return language if language in CONTENT_LANGUAGES else "en"


def needs_translation_q():
    """Cases with a translated fact missing in some language (the moderators' filter)."""
    missing = Q()
    for name in TRANSLATED_FACTS:
        for language in CONTENT_LANGUAGES:
            missing |= Q(**{translated(name, language): ""})
    return missing


def _original_version_present():
    present = Q()
    for language in CONTENT_LANGUAGES:
        version = Q(original_language=language)
        for name in TRANSLATED_FACTS:
            version &= ~Q(**{translated(name, language): ""})
        present |= version
    return present


class Translated:
    """Reading a translated text in the reader's language, or in the original language
    where that version is missing (the case page labels it: tracker/views.py::case_text).
    A model using it has <name>_<language> columns (modeltranslation's, registered in
    tracker/translation.py) and an `original_language`; `case.title` reads `text("title")`
    (tracker/translation.py::ReadersVersion)."""

    def fallback_language(self):
        return self.original_language

    def text_in(self, name, language):
        return getattr(self, translated(name, language))

    def shown_language(self, name, language=None):
        """The language `name` is shown in to a reader of `language`."""
        language = content_language(language)
        if self.text_in(name, language):
            return language
        fallback = self.fallback_language()
        if self.text_in(name, fallback):
            return fallback
        return next((lang for lang in CONTENT_LANGUAGES if self.text_in(name, lang)), language)

    def text(self, name, language=None):
        return self.text_in(name, self.shown_language(name, language))


def short_slug(text, limit=60):
    """A slug cut at a word boundary, so URLs read cleanly."""
    slug = slugify(text)
    if len(slug) <= limit:
        return slug
    return slug[: limit + 1].rsplit("-", 1)[0]


# The columns copied from other tables for the listing's filters (tracker/lookups.py).
LOOKUP_FIELDS = ("outcome_codes", "outlet_keys")


def lookup_contains(name, value, using):
    """Cases whose JSON list `name` holds `value`: `@>` on PostgreSQL (served by a GIN
    index, migration 0012); elsewhere the value as a quoted token of the JSON text (the
    values are codes and Latin keys, so JSON writes them as they are)."""
    if connections[using].vendor == "postgresql":
        return Q(**{f"{name}__contains": [value]})
    return Q(**{f"{name}__icontains": json.dumps(value)})


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    RETRACTED = "retracted", _("retracted")


# The condition of the public listing's partial indexes; Case.objects.public() matches it.
PUBLISHED = Q(status=CaseStatus.PUBLISHED)
# The cases headline figures and statistics count (CaseQuerySet.counted()).
COUNTED = ~Q(confidence=Confidence.UNCONFIRMED)


class CaseQuerySet(models.QuerySet):
    def public(self):
        """The only cases the public may see. Every public view, feed, export and API
        starts here, so no page can forget the visibility rule."""
        return self.filter(PUBLISHED)

    def counted(self):
        """The cases that headline figures and statistics count: confirmed and reported
        ones (the methodology page). Unconfirmed cases are listed, and counted apart."""
        return self.filter(COUNTED)

    def uncounted(self):
        return self.exclude(COUNTED)

    def citable(self):
        """Cases whose page answers: published ones, and retracted ones, whose page says
        they were withdrawn and why (a cited URL must not simply vanish)."""
        return self.filter(status__in=[CaseStatus.PUBLISHED, CaseStatus.RETRACTED])

    def with_outcome(self, outcome):
        return self.filter(lookup_contains("outcome_codes", outcome, self.db))

    def with_outlet(self, key):
        """Cases with a source whose outlet has this key (tracker.lookups.outlet_key)."""
        return self.filter(lookup_contains("outlet_keys", key, self.db))

    def linked_to(self, case):
        """Cases related to `case` or possibly duplicating it, each annotated
        `is_related` / `is_duplicate`: both lists of a case's page and API in one query."""

        def links(relation):
            return getattr(Case, relation).through.objects.filter(from_case=case.pk)

        def linked(relation):
            return Exists(links(relation).filter(to_case=OuterRef("pk")))

        # The ids come first (a few rows of the link tables, read by their index): a
        # filter on the two EXISTS instead made PostgreSQL test every case in the table
        # (3 s at a million cases).
        linked_ids = (
            links("related_cases")
            .values("to_case")
            .union(links("possible_duplicates").values("to_case"))
        )
        return (
            self.filter(pk__in=linked_ids)
            .annotate(
                is_related=linked("related_cases"), is_duplicate=linked("possible_duplicates")
            )
            .order_by(F("event_date").desc(nulls_last=True), "-id")
        )

    def for_listing(self):
        """What a listing row shows, fetched in a fixed number of queries."""
        return self.select_related("home_region").prefetch_related("outcome_rows")


class Case(Translated, CaseFacts):
    """One documented episode: one person or one group who refused, at one time."""

    Status = CaseStatus

    slug = models.SlugField(max_length=80, blank=True, help_text=_("Made from the title."))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # In each content language, like the text of the case (retraction_reason_en, …, added
    # by modeltranslation: tracker/translation.py); this column holds the original's.
    retraction_reason = OriginalTextField(
        _("retraction reason"),
        blank=True,
        editable=False,
        help_text=_("Shown on the page of a retracted case."),
    )

    related_cases = models.ManyToManyField("self", blank=True, verbose_name=_("related cases"))
    # Not "related": the same episode may have been recorded twice. Flagged for a moderator
    # to merge or keep apart, never merged silently; shown on both pages.
    possible_duplicates = models.ManyToManyField(
        "self",
        blank=True,
        verbose_name=_("possible duplicates"),
        help_text=_("Cases that may record the same episode; a moderator decides."),
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_(
            "Goes up with every change. A moderator's form carries the version it was made "
            "from; one made from an older version is refused, never saved over a change."
        ),
    )

    seed_id = models.CharField(
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("Stable key of a case loaded from seeds/; load_seeds updates by it."),
    )
    is_synthetic = models.BooleanField(
        default=False, editable=False, help_text=_("Generated test data, never real.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # What search matches: every language version, the other spellings, region names and
    # the labels of the choices in every language, and a Latin transliteration of all of
    # it. Written by save() (tracker/search.py::search_document); on PostgreSQL the
    # full-text vector is generated from it (migration 0009).
    search_document = models.TextField(blank=True, editable=False)

    # The earliest and latest day the refusal can have happened, computed by the database
    # from the date, its precision and the range (tracker/models/possible_dates.py): the
    # date filters of the listing, export, API and statistics compare these.
    event_date_earliest = possible_dates_field(
        EARLIEST,
        _("refusal at the earliest"),
        _("The first day the refusal can have happened; empty when the date is unknown."),
    )
    event_date_latest = possible_dates_field(
        LATEST,
        _("refusal at the latest"),
        _("The last day the refusal can have happened; empty when the date is unknown."),
    )

    # What the listing's outcome and outlet filters read, copied from the outcome and
    # source rows so that those filters need no other table (tracker/lookups.py keeps
    # them in sync; save() never writes them).
    outcome_codes = models.JSONField(default=list, blank=True, editable=False)
    outlet_keys = models.JSONField(default=list, blank=True, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-event_date", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(people_count__isnull=True) | Q(people_count__gte=1),
                name="tracker_case_people_count_positive",
            ),
            models.CheckConstraint(
                condition=Q(people_count__isnull=True, people_qualifier=PeopleQualifier.UNKNOWN)
                | (Q(people_count__isnull=False) & ~Q(people_qualifier=PeopleQualifier.UNKNOWN)),
                name="tracker_case_people_qualifier_matches_count",
            ),
            models.CheckConstraint(
                condition=Q(event_date__isnull=True, event_date_precision=DatePrecision.UNKNOWN)
                | (Q(event_date__isnull=False) & ~Q(event_date_precision=DatePrecision.UNKNOWN)),
                name="tracker_case_event_date_precision_matches_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="tracker_case_published_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.RETRACTED)
                | ~Q(retraction_reason_en="")
                | ~Q(retraction_reason_ru="")
                | ~Q(retraction_reason_uk=""),
                name="tracker_case_retracted_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(event_date_not_before__isnull=True)
                | Q(event_date_not_after__isnull=True)
                | Q(event_date_not_before__lte=F("event_date_not_after")),
                name="tracker_case_event_date_range_ordered",
                violation_error_message=_(
                    "“Refusal not before” must not be later than “refusal not after”."
                ),
            ),
            models.CheckConstraint(
                condition=_original_version_present(),
                name="tracker_case_original_version_present",
                violation_error_message=_(
                    "Write the title and summary in the case's original language."
                ),
            ),
            # A report may leave the kind open (ReportedFacts); a case never does.
            models.CheckConstraint(
                condition=~Q(refusal_kind=""),
                name="tracker_case_has_refusal_kind",
                violation_error_message=_("Choose the kind of refusal."),
            ),
        ]
        # The public listing always filters on status='published', so its indexes are
        # partial: a filter's equality column, then the default sort (newest refusal
        # first, id as the tie-break the keyset pagination needs); on PostgreSQL those of
        # a filter column and the date indexes also carry every column /stats/ reads
        # (migrations 0016 and 0017), so the
        # statistics of a combination of filters are an index-only scan. EXPLAIN-checked by
        # tests/test_search_postgres.py; the full-text GIN index and the trigram index on
        # source outlets are PostgreSQL-only and live in migration 0003.
        indexes = [
            models.Index(
                fields=["-event_date", "-id"], name="case_pub_event_idx", condition=PUBLISHED
            ),
            models.Index(
                fields=["-published_at", "-id"], name="case_pub_published_idx", condition=PUBLISHED
            ),
            models.Index(
                fields=["-people_count", "-id"], name="case_pub_people_idx", condition=PUBLISHED
            ),
            *(
                models.Index(
                    fields=[field, "-event_date", "-id"],
                    name=f"case_pub_{short}_event_idx",
                    condition=PUBLISHED,
                )
                for field, short in [
                    ("home_region", "region"),
                    ("force", "force"),
                    ("service_status", "service"),
                    ("refusal_kind", "kind"),
                    ("confidence", "confidence"),
                ]
            ),
            # The date filters (tracker/filters.py): "from" compares the latest possible
            # day, "until" the earliest.
            models.Index(
                fields=["event_date_latest"], name="case_pub_latest_idx", condition=PUBLISHED
            ),
            models.Index(
                fields=["event_date_earliest"], name="case_pub_earliest_idx", condition=PUBLISHED
            ),
            # Moderation and admin look cases up by status.
            models.Index(fields=["status", "-updated_at"], name="case_status_updated_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        from tracker.search import search_document

        # The slug stays in Latin letters: from the English title, else the original.
        self.slug = short_slug(self.title_en or self.text_in("title", self.original_language))
        # With the timeline and outcomes as stored: a service that changes them saves the
        # case afterwards, or calls refresh_search_document().
        self.search_document = search_document(self)
        # A month's or a year's date is its first day (event_date_precision's rule), which
        # the date filter relies on (tracker/filters.py::filter_date_to).
        if self.event_date and self.event_date_precision == DatePrecision.MONTH:
            self.event_date = self.event_date.replace(day=1)
        elif self.event_date and self.event_date_precision == DatePrecision.YEAR:
            self.event_date = self.event_date.replace(month=1, day=1)
        if kwargs.get("update_fields") is None and not self._state.adding:
            # Every column but the lookups, which only tracker/lookups.py writes: this
            # object may have been loaded before an outcome or a source changed.
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = {
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key
                and field.attname not in deferred
                and field.name not in LOOKUP_FIELDS
            }
        if kwargs.get("update_fields") is not None:
            # The original-language columns follow their versions (facts.OriginalText).
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "search_document",
                "slug",
                "title",
                "summary",
                "retraction_reason",
            }
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def refresh_search_document(self):
        """Write the search document again after the case's timeline events or outcomes
        changed without the case being saved (one UPDATE; the PostgreSQL vector follows)."""
        from tracker.search import search_document

        self.search_document = search_document(self)
        type(self).objects.filter(pk=self.pk).update(search_document=self.search_document)

    def get_absolute_url(self):
        if self.slug:
            return reverse("tracker:case_detail_slug", args=[self.pk, self.slug])
        return reverse("tracker:case_detail", args=[self.pk])

    def missing_languages(self):
        """The content languages in which a translated fact is still empty."""
        return [
            language
            for language in CONTENT_LANGUAGES
            if any(not self.text_in(name, language) for name in TRANSLATED_FACTS)
        ]

    @property
    def title_language(self):
        """The language `title` is shown in (for the `lang` attribute of a listing row)."""
        return self.shown_language("title")

    @property
    def retraction_language(self):
        return self.shown_language("retraction_reason")

    @property
    def needs_translation(self):
        return bool(self.missing_languages())

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED

    @property
    def is_citable(self):
        return self.status in (self.Status.PUBLISHED, self.Status.RETRACTED)

    @property
    def outcomes(self):
        """The outcome rows' values; uses the prefetch of for_listing()."""
        return [row.outcome for row in self.outcome_rows.all()]

    def get_outcomes_display(self):
        from .related import CaseOutcome

        return [CaseOutcome.Outcome(value).label for value in self.outcomes]

    def other_service_statuses_display(self):
        return [self.ServiceStatus(value).label for value in self.other_service_statuses]

    def other_forces_display(self):
        return [self.Force(value).label for value in self.other_forces]

    def people_display(self):
        if self.people_count is None:
            return None
        if self.people_qualifier == self.PeopleQualifier.SEVERAL:
            return str(_("several"))
        if self.people_qualifier == self.PeopleQualifier.HUNDREDS:
            return str(_("several hundred"))
        number = formats.number_format(self.people_count, force_grouping=True)
        if self.people_qualifier == self.PeopleQualifier.EXACT:
            return number
        return f"{self.get_people_qualifier_display()} {number}"
