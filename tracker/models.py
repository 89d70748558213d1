from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _


def short_slug(text, limit=60):
    """A slug cut at a word boundary, so URLs read cleanly."""
    slug = slugify(text)
    if len(slug) <= limit:
        return slug
    return slug[: limit + 1].rsplit("-", 1)[0]


class DatePrecision(models.TextChoices):
    DAY = "day", _("exact day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")
    UNKNOWN = "unknown", _("unknown")


class Region(models.Model):
    """A home region of a unit or of people: a Russian federal subject, an occupied region
    of Ukraine, or "other". Loaded as data by a migration from tracker/data/regions.json."""

    class Kind(models.TextChoices):
        REPUBLIC = "republic", _("republic")
        KRAI = "krai", _("krai")
        OBLAST = "oblast", _("oblast")
        FEDERAL_CITY = "federal_city", _("federal city")
        AUTONOMOUS_OBLAST = "autonomous_oblast", _("autonomous oblast")
        AUTONOMOUS_OKRUG = "autonomous_okrug", _("autonomous okrug")
        OCCUPIED = "occupied", _("occupied region of Ukraine")
        OTHER = "other", _("other")

    code = models.CharField(
        max_length=10, unique=True, help_text=_("ISO 3166-2 code, e.g. RU-KB; used in URLs.")
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ru = models.CharField(_("name (Russian)"), max_length=100)
    name_uk = models.CharField(_("name (Ukrainian)"), max_length=100)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name

    @property
    def name(self):
        """The name in the active interface language."""
        language = (get_language() or "en")[:2]
        return getattr(self, f"name_{language}", None) or self.name_en


# The condition of the public listing's partial indexes; Case.objects.public() matches it.
PUBLISHED = Q(status="published")


class CaseQuerySet(models.QuerySet):
    def public(self):
        """The only cases the public may see. Every public view, feed, export and API
        starts here, so no page can forget the visibility rule."""
        return self.filter(status=Case.Status.PUBLISHED)

    def with_outcome(self, outcome):
        return self.filter(Exists(CaseOutcome.objects.filter(case=OuterRef("pk"), outcome=outcome)))

    def for_listing(self):
        """What a listing row shows, fetched in a fixed number of queries."""
        return self.select_related("home_region").prefetch_related("outcome_rows")


class Case(models.Model):
    """One documented episode: one person or one group who refused, at one time."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        RETRACTED = "retracted", _("retracted")

    class PeopleQualifier(models.TextChoices):
        EXACT = "exact", _("exactly")
        AT_LEAST = "at_least", _("at least")
        ABOUT = "about", _("about")
        UP_TO = "up_to", _("up to")
        UNKNOWN = "unknown", _("unknown")

    class ServiceStatus(models.TextChoices):
        CONTRACT = "contract", _("contract soldier")
        CONSCRIPT = "conscript", _("conscript")
        MOBILISED = "mobilised", _("mobilised")
        OFFICER = "officer", _("officer")
        UNKNOWN = "unknown", _("unknown")

    class Force(models.TextChoices):
        # The prefix before "_" is the service; the listing filter uses it to offer
        # "all Rosgvardiya" and "all Armed Forces" as one choice each.
        ARMY_GROUND = "army_ground", _("Armed Forces: ground forces")
        ARMY_AIRBORNE = "army_airborne", _("Armed Forces: airborne (VDV)")
        ARMY_NAVAL_INFANTRY = "army_naval_infantry", _("Armed Forces: naval infantry")
        ARMY_NAVY = "army_navy", _("Armed Forces: navy")
        ARMY_AEROSPACE = "army_aerospace", _("Armed Forces: aerospace forces")
        ARMY_OTHER = "army_other", _("Armed Forces: other or unspecified")
        ROSGVARDIA_OMON = "rosgvardia_omon", _("Rosgvardiya: OMON")
        ROSGVARDIA_SOBR = "rosgvardia_sobr", _("Rosgvardiya: SOBR")
        ROSGVARDIA_OTHER = "rosgvardia_other", _("Rosgvardiya: other or unspecified")
        FSB = "fsb", _("FSB")
        POLICE = "police", _("Police (MVD)")
        OTHER = "other", pgettext_lazy("force", "other")
        UNKNOWN = "unknown", pgettext_lazy("force", "unknown")

    class Country(models.TextChoices):
        UKRAINE = "ua", _("Ukraine")
        BELARUS = "by", _("Belarus")
        RUSSIA = "ru", _("Russia")
        OTHER = "other", pgettext_lazy("country", "other")
        UNKNOWN = "unknown", pgettext_lazy("country", "unknown")

    class RefusalKind(models.TextChoices):
        REFUSED_DEPLOY = "refused_deploy", _("refused to deploy")
        LEFT_COMBAT = "left_combat", _("refused to continue / left the combat zone")
        LEFT_UNIT = "left_unit", _("left the unit (AWOL, desertion)")
        CONTRACT_TERMINATION = "contract_termination", _("sought contract termination")
        CONSCIENTIOUS_OBJECTION = (
            "conscientious_objection",
            _("conscientious objection / alternative civilian service"),
        )
        SELF_INJURY = "self_injury", _("self-injury")
        OTHER = "other", _("other resistance")

    class Confidence(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        REPORTED = "reported", _("reported")
        UNCONFIRMED = "unconfirmed", _("unconfirmed")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(max_length=80, blank=True, help_text=_("Made from the title."))
    summary = models.TextField(
        _("summary"), help_text=_("In the project's own neutral words; plain text.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    retraction_reason = models.TextField(
        _("retraction reason"), blank=True, help_text=_("Shown on the page of a retracted case.")
    )

    event_date = models.DateField(_("date of the refusal"), null=True, blank=True)
    event_date_precision = models.CharField(
        _("date precision"),
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.UNKNOWN,
        help_text=_("With 'month', the date is the first day of that month."),
    )
    first_reported_on = models.DateField(
        _("first reported on"),
        null=True,
        blank=True,
        help_text=_("Publication date of the earliest source."),
    )

    people_count = models.PositiveIntegerField(_("number of people"), null=True, blank=True)
    people_qualifier = models.CharField(
        _("number is"),
        max_length=10,
        choices=PeopleQualifier.choices,
        default=PeopleQualifier.UNKNOWN,
    )
    named_people = models.CharField(
        _("named people"),
        max_length=300,
        blank=True,
        help_text=_("Only people already named publicly by a source."),
    )
    service_status = models.CharField(
        _("service status"),
        max_length=20,
        choices=ServiceStatus.choices,
        default=ServiceStatus.UNKNOWN,
    )
    force = models.CharField(
        _("force"), max_length=30, choices=Force.choices, default=Force.UNKNOWN
    )
    unit = models.CharField(_("unit"), max_length=200, blank=True)
    home_region = models.ForeignKey(
        Region,
        verbose_name=_("home region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    location_country = models.CharField(
        _("country where it happened"),
        max_length=10,
        choices=Country.choices,
        default=Country.UNKNOWN,
    )
    location = models.CharField(_("place where it happened"), max_length=200, blank=True)
    refusal_kind = models.CharField(
        _("kind of refusal"), max_length=30, choices=RefusalKind.choices
    )
    legal_articles = models.CharField(
        _("legal articles"),
        max_length=100,
        blank=True,
        help_text=_("Articles of the RF Criminal Code cited, e.g. '332, 337'."),
    )
    confidence = models.CharField(
        _("confidence"),
        max_length=20,
        choices=Confidence.choices,
        default=Confidence.UNCONFIRMED,
        help_text=_(
            "Confirmed: two or more independent verified sources, or documents. "
            "Reported: one verified source. Unconfirmed: the source itself could not confirm."
        ),
    )
    related_cases = models.ManyToManyField("self", blank=True, verbose_name=_("related cases"))

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
                condition=Q(people_count__isnull=True, people_qualifier="unknown")
                | (Q(people_count__isnull=False) & ~Q(people_qualifier="unknown")),
                name="tracker_case_people_qualifier_matches_count",
            ),
            models.CheckConstraint(
                condition=Q(event_date__isnull=True, event_date_precision="unknown")
                | (Q(event_date__isnull=False) & ~Q(event_date_precision="unknown")),
                name="tracker_case_event_date_precision_matches_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="tracker_case_published_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="retracted") | ~Q(retraction_reason=""),
                name="tracker_case_retracted_has_reason",
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
    def outcomes(self):
        """The outcome rows' values; uses the prefetch of for_listing()."""
        return [row.outcome for row in self.outcome_rows.all()]

    def get_outcomes_display(self):
        return [CaseOutcome.Outcome(value).label for value in self.outcomes]

    def people_display(self):
        if self.people_count is None:
            return None
        number = formats.number_format(self.people_count, force_grouping=True)
        if self.people_qualifier == self.PeopleQualifier.EXACT:
            return number
        return f"{self.get_people_qualifier_display()} {number}"


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
        ordering = [models.F("published_on").asc(nulls_last=True), "id"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        # The outlet filter runs EXISTS (… WHERE case_id = … AND outlet LIKE …).
        indexes = [models.Index(fields=["case", "outlet"], name="source_case_outlet_idx")]

    def __str__(self):
        if self.published_on:
            return f"{self.outlet}, {self.published_on:%Y-%m-%d}"
        return self.outlet


class CaseEvent(models.Model):
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
        _("date precision"), max_length=10, choices=DatePrecision.choices, default="day"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    description = models.TextField(_("what happened"))

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")

    def __str__(self):
        return f"{self.date:%Y-%m-%d}: {self.get_kind_display()}"


class CaseCorrection(models.Model):
    """A public note that a published case was changed, in general terms."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="corrections")
    made_at = models.DateTimeField(_("made at"), default=timezone.now)
    note = models.CharField(_("what changed"), max_length=300)

    class Meta:
        ordering = ["made_at", "id"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self):
        return f"{self.made_at:%Y-%m-%d}: {self.note}"


# Exact counters and shared short-lived keys (rate limits, the client hash's daily key).
from tracker.counters import Counter, SharedSecret  # noqa: E402, F401
