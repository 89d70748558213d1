from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from .facts import CaseFacts, DatePrecision, PeopleQualifier


def short_slug(text, limit=60):
    """A slug cut at a word boundary, so URLs read cleanly."""
    slug = slugify(text)
    if len(slug) <= limit:
        return slug
    return slug[: limit + 1].rsplit("-", 1)[0]


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    RETRACTED = "retracted", _("retracted")


# The condition of the public listing's partial indexes; Case.objects.public() matches it.
PUBLISHED = Q(status=CaseStatus.PUBLISHED)


class CaseQuerySet(models.QuerySet):
    def public(self):
        """The only cases the public may see. Every public view, feed, export and API
        starts here, so no page can forget the visibility rule."""
        return self.filter(PUBLISHED)

    def citable(self):
        """Cases whose page answers: published ones, and retracted ones, whose page says
        they were withdrawn and why (a cited URL must not simply vanish)."""
        return self.filter(status__in=[CaseStatus.PUBLISHED, CaseStatus.RETRACTED])

    def with_outcome(self, outcome):
        from .related import CaseOutcome

        return self.filter(Exists(CaseOutcome.objects.filter(case=OuterRef("pk"), outcome=outcome)))

    def linked_to(self, case):
        """Cases related to `case` or possibly duplicating it, each annotated
        `is_related` / `is_duplicate`: both lists of a case's page and API in one query."""

        def linked(relation):
            through = getattr(Case, relation).through
            return Exists(through.objects.filter(from_case=case.pk, to_case=OuterRef("pk")))

        return (
            self.annotate(
                is_related=linked("related_cases"), is_duplicate=linked("possible_duplicates")
            )
            .filter(Q(is_related=True) | Q(is_duplicate=True))
            .order_by(F("event_date").desc(nulls_last=True), "-id")
        )

    def for_listing(self):
        """What a listing row shows, fetched in a fixed number of queries."""
        return self.select_related("home_region").prefetch_related("outcome_rows")


class Case(CaseFacts):
    """One documented episode: one person or one group who refused, at one time."""

    Status = CaseStatus

    slug = models.SlugField(max_length=80, blank=True, help_text=_("Made from the title."))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    retraction_reason = models.TextField(
        _("retraction reason"), blank=True, help_text=_("Shown on the page of a retracted case.")
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
                condition=~Q(status=CaseStatus.RETRACTED) | ~Q(retraction_reason=""),
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
            # A report may leave the kind open (ReportedFacts); a case never does.
            models.CheckConstraint(
                condition=~Q(refusal_kind=""),
                name="tracker_case_has_refusal_kind",
                violation_error_message=_("Choose the kind of refusal."),
            ),
        ]
        # The public listing always filters on status='published', so its indexes are
        # partial: a filter's equality column, then the default sort (newest refusal
        # first, id as the tie-break the keyset pagination needs). EXPLAIN-checked by
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
            # Moderation and admin look cases up by status.
            models.Index(fields=["status", "-updated_at"], name="case_status_updated_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.slug = short_slug(self.title)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        if self.slug:
            return reverse("tracker:case_detail_slug", args=[self.pk, self.slug])
        return reverse("tracker:case_detail", args=[self.pk])

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
