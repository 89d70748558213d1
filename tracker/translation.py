"""The translated fields of the catalogue, registered with django-modeltranslation.

modeltranslation adds one column per content language beside each registered field
(`title` → `title_en`, `title_ru`, `title_uk`) and manages them: the fields, the
migrations, the forms' fields. What we configured, and why (ARCHITECTURE.md, "A case in
three languages"):

- the per-language columns keep the labels, help texts (the data dictionary's
  descriptions) and NOT NULL of the columns they replace (`field_options`); an empty
  version is "", never NULL, so "needs translation" is one comparison;
- the original field (`title`) is a column too; it holds the original language's version
  (tracker/models/facts.py::OriginalText) and is never typed;
- reading `case.title` gives the reader's version or, where it is missing, the case's
  ORIGINAL language (`ReadersVersion`): modeltranslation's own fallback order is fixed per
  field, ours is per case. Writing `case.title`, `Case(title=…)`, `filter(title=…)`,
  `order_by("title")` or `values("title")` means the ACTIVE language's column
  (modeltranslation's rewriting): the project's code never does; it names the column
  (`title_ru`, tracker.models.translated()), so what a Russian-speaking moderator edits,
  the history, the exports and the seeds mean the same in every request language.
"""

from django.utils.translation import gettext_lazy as _
from modeltranslation.fields import TranslationFieldDescriptor
from modeltranslation.translator import TranslationOptions, translator

from .models import Case, CaseCorrection, CaseEvent
from .models.cases import Translated


def _versions(**by_language):
    """field_options for one field: {language: options}; every version is editable (the
    original field is not), blank, and NOT NULL like the columns it replaces."""
    return {
        language: {"editable": True, "null": False, **options}
        for language, options in by_language.items()
    }


# The labels and help texts, exactly those of the columns before the package managed them.
TITLE = _versions(
    en={
        "verbose_name": _("title (English)"),
        "help_text": _(
            "Title of the case in English; empty where there is no English version yet."
        ),
    },
    ru={
        "verbose_name": _("title (Russian)"),
        "help_text": _(
            "Title of the case in Russian; empty where there is no Russian version yet."
        ),
    },
    uk={
        "verbose_name": _("title (Ukrainian)"),
        "help_text": _(
            "Title of the case in Ukrainian; empty where there is no Ukrainian version yet."
        ),
    },
)
SUMMARY = _versions(
    en={
        "verbose_name": _("summary (English)"),
        "help_text": _(
            "What happened, in the project's own words, in English; empty where there is "
            "no English version yet."
        ),
    },
    ru={
        "verbose_name": _("summary (Russian)"),
        "help_text": _(
            "What happened, in the project's own words, in Russian; empty where there is "
            "no Russian version yet."
        ),
    },
    uk={
        "verbose_name": _("summary (Ukrainian)"),
        "help_text": _(
            "What happened, in the project's own words, in Ukrainian; empty where there is "
            "no Ukrainian version yet."
        ),
    },
)
RETRACTION_REASON = _versions(
    en={"verbose_name": _("retraction reason (English)")},
    ru={"verbose_name": _("retraction reason (Russian)")},
    uk={"verbose_name": _("retraction reason (Ukrainian)")},
)
DESCRIPTION = _versions(
    en={"verbose_name": _("what happened (English)")},
    ru={"verbose_name": _("what happened (Russian)")},
    uk={"verbose_name": _("what happened (Ukrainian)")},
)
NOTE = _versions(
    en={"verbose_name": _("moderator's note (English)")},
    ru={"verbose_name": _("moderator's note (Russian)")},
    uk={"verbose_name": _("moderator's note (Ukrainian)")},
)


class CaseText(TranslationOptions):
    fields = ("title", "summary", "retraction_reason")
    empty_values = ""
    field_options = {"title": TITLE, "summary": SUMMARY, "retraction_reason": RETRACTION_REASON}


class EventText(TranslationOptions):
    fields = ("description",)
    empty_values = ""
    field_options = {"description": DESCRIPTION}


class CorrectionText(TranslationOptions):
    fields = ("note",)
    empty_values = ""
    field_options = {"note": NOTE}


class ReadersVersion(TranslationFieldDescriptor):
    """`case.title`: the version in the reader's (active) language, else the one in the
    case's original language (`Translated.text`), as the case page labels it. Writing is
    modeltranslation's: the active language's column."""

    def __get__(self, instance, owner):
        if instance is None:
            return self
        if not isinstance(instance, Translated):
            # modeltranslation's values("title") rows: its own fallback (never used by
            # the project's code, which names the columns).
            return super().__get__(instance, owner)
        return instance.text(self.field.name)


def _register(model, options):
    translator.register(model, options)
    for name in options.fields:
        setattr(model, name, ReadersVersion(model._meta.get_field(name)))


_register(Case, CaseText)
_register(CaseEvent, EventText)
_register(CaseCorrection, CorrectionText)
