"""The facts of a case, defined once.

`ReportedFacts` are what a member of the public may tell in a report and a case states:
`submissions.Submission` and `Case` both inherit them (in a report every answer may be
blank). `CaseFacts` adds what only a moderator writes. `CASE_FACTS` and `REPORTED_FACTS`
name them in order; the moderators' forms, the services, the seeds loader, the exports, the
API and the data dictionary derive their fields from these tuples, so adding a fact means
one field here, one migration, and its translations (tests/test_fact_fields.py checks).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .regions import Region


class DatePrecision(models.TextChoices):
    DAY = "day", _("exact day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")
    UNKNOWN = "unknown", _("unknown")


class PeopleQualifier(models.TextChoices):
    EXACT = "exact", _("exactly")
    AT_LEAST = "at_least", _("at least")
    ABOUT = "about", _("about")
    UP_TO = "up_to", _("up to")
    # A source that gives only a word: people_count holds the least the word can mean
    # (2 for "several", 200 for "several hundred"), so that the "at least N people" filter
    # and the sums of the statistics never count more than the sources say; pages show the
    # word, not the number.
    SEVERAL = "several", _("several (counted as 2)")
    HUNDREDS = "hundreds", _("several hundred (counted as 200)")
    UNKNOWN = "unknown", _("unknown")


# The number people_count holds for a qualifier that is a word, not a number.
WORD_QUALIFIER_COUNTS = {PeopleQualifier.SEVERAL: 2, PeopleQualifier.HUNDREDS: 200}


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


class ContentLanguage(models.TextChoices):
    ENGLISH = "en", _("English")
    RUSSIAN = "ru", _("Russian")
    UKRAINIAN = "uk", _("Ukrainian")


# The languages a case's text is written in; its translated fields are <name>_<language>.
CONTENT_LANGUAGES = tuple(ContentLanguage.values)
TRANSLATED_FACTS = ("title", "summary")


def translated(name, language):
    """The column of `name` (a translated field) in `language`: translated("title", "ru")."""
    return f"{name}_{language}"


class OriginalText:
    """The field modeltranslation translates (`title`, whose versions are `title_en`, …).

    modeltranslation needs it as a column of its own. It holds the version in the
    original language of the text (`original_language` of the case), whatever the active
    language when the row is saved, so the column is a plain, readable copy of what was
    first written (for SQL readers and backups); the app reads the per-language columns.
    Not editable: nobody types it. The model using it is `Translated` (tracker/models/
    cases.py)."""

    def pre_save(self, model_instance, add):
        if hasattr(self, "translated_field"):
            # A language's column: modeltranslation builds those from this class too.
            return super().pre_save(model_instance, add)
        return model_instance.text_in(self.name, model_instance.fallback_language())

    def deconstruct(self):
        # Migrations see the plain field (the behaviour above needs no migration).
        name, _path, args, kwargs = super().deconstruct()
        return name, self.plain_path, args, kwargs


class OriginalCharField(OriginalText, models.CharField):
    plain_path = "django.db.models.CharField"


class OriginalTextField(OriginalText, models.TextField):
    plain_path = "django.db.models.TextField"


class Confidence(models.TextChoices):
    CONFIRMED = "confirmed", _("confirmed")
    REPORTED = "reported", _("reported")
    UNCONFIRMED = "unconfirmed", _("unconfirmed")


class ChoiceList(models.JSONField):
    """A list of values from `item_choices`, stored as a JSON list: the further forces or
    service statuses of a mixed group. A JSON list rather than a table of its own because
    it is only shown and exported, never filtered on (ARCHITECTURE.md, "Mixed groups");
    moderators tick boxes, the API and the JSON export give a list."""

    def __init__(self, *args, item_choices=(), **kwargs):
        self.item_choices = list(item_choices)
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        # The choices are the form's concern, not the column's: migrations stay quiet when
        # a label changes.
        name, path, args, kwargs = super().deconstruct()
        return name, path, args, kwargs

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        allowed = {choice for choice, _label in self.item_choices}
        if not isinstance(value, list) or any(item not in allowed for item in value):
            raise ValidationError(_("Choose only from the listed values."), code="invalid_choice")

    def formfield(self, **kwargs):
        return forms.MultipleChoiceField(
            label=capfirst(self.verbose_name),
            help_text=self.help_text,
            choices=self.item_choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )


class ReportedFacts(models.Model):
    """What a report and a case both say about a refusal. The help texts are the public
    descriptions of the data dictionary (/data/)."""

    # The choices, also reachable as Case.Force, Submission.Force, …
    PeopleQualifier = PeopleQualifier
    ServiceStatus = ServiceStatus
    Force = Force
    Country = Country
    RefusalKind = RefusalKind

    event_date = models.DateField(
        _("date of the refusal"),
        null=True,
        blank=True,
        help_text=_(
            "Date of the refusal (YYYY-MM-DD); empty when unknown. See event_date_precision."
        ),
    )
    event_date_precision = models.CharField(
        _("date precision"),
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.UNKNOWN,
        help_text=_(
            "How exact event_date is. With 'month' the date is the first day of that month."
        ),
    )
    people_count = models.PositiveIntegerField(
        _("number of people"),
        null=True,
        blank=True,
        help_text=_("Number of people involved; empty when unknown."),
    )
    people_qualifier = models.CharField(
        _("number is"),
        max_length=10,
        choices=PeopleQualifier.choices,
        default=PeopleQualifier.UNKNOWN,
        help_text=_(
            "How exact people_count is. With 'several' or 'several hundred' the sources give "
            "no number and people_count is the least the word means (2, 200)."
        ),
    )
    service_status = models.CharField(
        _("service status"),
        max_length=20,
        choices=ServiceStatus.choices,
        default=ServiceStatus.UNKNOWN,
        help_text=_("Service status of the people."),
    )
    force = models.CharField(
        _("force"),
        max_length=30,
        choices=Force.choices,
        default=Force.UNKNOWN,
        help_text=_("Force or service they belonged to."),
    )
    unit = models.CharField(
        _("unit"), max_length=200, blank=True, help_text=_("Unit, as the sources name it.")
    )
    home_region = models.ForeignKey(
        Region,
        verbose_name=_("home region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="%(class)ss",
        help_text=_("ISO 3166-2 code of the home region of the unit or people."),
    )
    location_country = models.CharField(
        _("country where it happened"),
        max_length=10,
        choices=Country.choices,
        default=Country.UNKNOWN,
        help_text=_("Country where the refusal happened."),
    )
    location = models.CharField(
        _("place where it happened"),
        max_length=200,
        blank=True,
        help_text=_("Place where the refusal happened."),
    )
    # Blank in a report that does not say; a case always has one (its constraint).
    refusal_kind = models.CharField(
        _("kind of refusal"),
        max_length=30,
        choices=RefusalKind.choices,
        blank=True,
        help_text=_("Kind of refusal."),
    )

    class Meta:
        abstract = True


class CaseFacts(ReportedFacts):
    """What only a case states: written by a moderator from the report and its sources."""

    Confidence = Confidence
    ContentLanguage = ContentLanguage

    # The text of a case exists in each content language (title_en, title_ru, …): columns
    # of the same row, so a listing reads every version with the row (no join, no query per
    # row). `Case.title` and `Case.summary` give the reader's language or the original.
    original_language = models.CharField(
        _("original language"),
        max_length=2,
        choices=ContentLanguage.choices,
        default=ContentLanguage.ENGLISH,
        help_text=_(
            "Language the case was first written in (en, ru, uk); its title and summary "
            "in that language are never empty. The other versions are translations."
        ),
    )
    # The text of a case exists in each content language: django-modeltranslation adds
    # title_en, title_ru, title_uk (and summary_*) beside these fields (tracker/translation.py,
    # where their labels and help texts are). These two columns hold the version in the
    # original language (OriginalText); code reads and writes the per-language columns.
    title = OriginalCharField(_("title"), max_length=200, blank=True, editable=False)
    summary = OriginalTextField(_("summary"), blank=True, editable=False)
    name_variants = models.CharField(
        _("other spellings"),
        max_length=500,
        blank=True,
        help_text=_(
            "Other spellings of the names, units and places that sources use, so that "
            "search finds them (e.g. 'Sakhibgareev; Сахибгареев')."
        ),
    )
    first_reported_on = models.DateField(
        _("first reported on"),
        null=True,
        blank=True,
        help_text=_("Publication date of the earliest source (YYYY-MM-DD)."),
    )
    named_people = models.CharField(
        _("named people"),
        max_length=300,
        blank=True,
        help_text=_("People already named publicly by a source."),
    )
    legal_articles = models.CharField(
        _("legal articles"),
        max_length=100,
        blank=True,
        help_text=_(
            "Articles of the RF Criminal Code cited by the sources, as charges or as threats, "
            "e.g. '332, 338'."
        ),
    )
    confidence = models.CharField(
        _("confidence"),
        max_length=20,
        choices=Confidence.choices,
        default=Confidence.UNCONFIRMED,
        help_text=_(
            "Computed from the sources by the rule on the methodology page (/methodology/): "
            "confirmed, reported or unconfirmed. A moderator may lower it, with a reason "
            "(confidence_note), never raise it."
        ),
    )
    confidence_note = models.CharField(
        _("why the confidence is lower"),
        max_length=300,
        blank=True,
        help_text=_(
            "Why the confidence is lower than the sources support; empty when the grade is "
            "the one the rule computes."
        ),
    )
    event_date_not_before = models.DateField(
        _("refusal not before"),
        null=True,
        blank=True,
        help_text=_(
            "Earliest date the refusal can have happened, when the sources give only a "
            "range (e.g. 'the first days of the war'); empty when not known."
        ),
    )
    event_date_not_after = models.DateField(
        _("refusal not after"),
        null=True,
        blank=True,
        help_text=_(
            "Latest date the refusal can have happened (e.g. 'before 5 March'); empty when "
            "not known."
        ),
    )
    other_service_statuses = ChoiceList(
        _("other service statuses"),
        item_choices=[c for c in ServiceStatus.choices if c[0] != ServiceStatus.UNKNOWN],
        help_text=_(
            "Further service statuses when the group was mixed (e.g. conscripts as well as "
            "contract soldiers); service_status holds the main one, which filters and "
            "statistics use."
        ),
    )
    other_forces = ChoiceList(
        _("other forces"),
        item_choices=[c for c in Force.choices if c[0] != Force.UNKNOWN],
        help_text=_(
            "Further forces when the group was mixed (e.g. army and Rosgvardiya); force holds "
            "the main one, which filters and statistics use."
        ),
    )
    conflicting_accounts = models.TextField(
        _("conflicting accounts"),
        blank=True,
        help_text=_("Where the sources disagree (numbers, places, dates): what each of them says."),
    )

    class Meta:
        abstract = True


def _names(model):
    """The facts in declaration order, a translated one as its per-language columns."""
    return tuple(
        name
        for field in model._meta.fields
        for name in (
            [translated(field.name, language) for language in CONTENT_LANGUAGES]
            if isinstance(field, OriginalText)
            else [field.name]
        )
    )


# In declaration order: the order of the export's columns and the API's keys.
REPORTED_FACTS = _names(ReportedFacts)
CASE_FACTS = _names(CaseFacts)
