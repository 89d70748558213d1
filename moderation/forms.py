from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from submissions.models import Submission, SubmissionSource
from tracker.models import (
    CASE_FACTS,
    CONTENT_LANGUAGES,
    REPORTED_FACTS,
    TRANSLATED_FACTS,
    Case,
    CaseEvent,
    CaseOutcome,
    ContentLanguage,
    DatePrecision,
    translated,
)
from tracker.models.facts import WORD_QUALIFIER_COUNTS
from tracker.models.related import LEGAL_KINDS
from tracker.widgets import IsoDateInput

from . import services
from .wording import refuse_verbatim

Status = Submission.Status

YES_NO_UNKNOWN = [("", _("not checked")), ("true", _("yes")), ("false", _("no"))]


def _yes_no(label, help_text=""):
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO_UNKNOWN,
        coerce=lambda value: value == "true",
        empty_value=None,
        required=False,
        help_text=help_text,
    )


class QueueFilterForm(forms.Form):
    DECIDED = "decided"

    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("all open"))]
        + [(status.value, status.label) for status in Submission.OPEN_STATUSES]
        + [(DECIDED, _("recently decided"))],
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("any"))] + list(settings.LANGUAGES)
    )
    mine = forms.BooleanField(label=_("Claimed by me"), required=False)
    attachments = forms.BooleanField(label=_("Has attachments"), required=False)


class CaseListFilterForm(forms.Form):
    """The moderators' list of every case: drafts, published, retracted, seed or not."""

    SEED, REPORTED = "seed", "reported"

    q = forms.CharField(label=_("Words or number"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("any"))] + Case.Status.choices
    )
    confidence = forms.ChoiceField(
        label=_("Confidence"), required=False, choices=[("", _("any"))] + Case.Confidence.choices
    )
    origin = forms.ChoiceField(
        label=_("Came from"),
        required=False,
        choices=[("", _("any")), (SEED, _("the seed documents")), (REPORTED, _("a report"))],
    )
    NEEDS_TRANSLATION, TRANSLATED = "needed", "done"
    translation = forms.ChoiceField(
        label=_("Translation"),
        required=False,
        choices=[
            ("", _("any")),
            (NEEDS_TRANSLATION, _("needs translation")),
            (TRANSLATED, _("in all three languages")),
        ],
    )


class BulkSpamForm(forms.Form):
    submissions = forms.ModelMultipleChoiceField(
        queryset=Submission.objects.filter(status__in=[Status.NEW, Status.HELD]),
        error_messages={
            "invalid_choice": _("Only new or held submissions can be rejected in bulk.")
        },
    )


class SourceVerificationForm(forms.ModelForm):
    reachable = _yes_no(_("Reachable?"))
    supports_report = _yes_no(_("Does it say what the report says?"))
    independent = _yes_no(
        _("Independent of the other sources?"),
        _("No, if it only repeats another source (a reprint, the same author)."),
    )

    class Meta:
        model = SubmissionSource
        fields = [
            "reachable",
            "supports_report",
            "independent",
            "account_from",
            "says_unconfirmed",
            "verification_note",
        ]
        widgets = {"verification_note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prefix = f"source-{self.instance.pk}"
        for name in ("reachable", "supports_report", "independent"):
            value = getattr(self.instance, name)
            self.initial[name] = "" if value is None else str(value).lower()
        # Not stated until the moderator says whose account the source gives.
        self.fields["account_from"].required = False


class AskForm(forms.Form):
    question = forms.CharField(
        label=_("Question to the submitter"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("The submitter reads it on their status page with their receipt code."),
    )


class RejectForm(forms.Form):
    # No reason is preselected: a rejection is always a choice the moderator made.
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", _("choose a reason"))] + Submission.RejectionReason.choices,
    )
    note = forms.CharField(
        label=_("Note for the other moderators"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DeclineForm(forms.Form):
    note = forms.CharField(
        label=_("What should change"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For the moderator who prepared the draft; kept in the audit trail."),
    )


class RetractForm(forms.Form):
    """The reason in the case's original language, and optionally in the other two."""

    reason = forms.CharField(
        label=_("Why the case is withdrawn"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown publicly on the case's page."),
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is None:
            # The admin's action over several cases: one reason, written to each case's
            # original language.
            return
        original = ContentLanguage(case.original_language)
        self.fields["reason"].label = _("Why the case is withdrawn, in %(language)s") % {
            "language": original.label
        }
        self.fields["reason"].widget.attrs["lang"] = original.value
        for language in CONTENT_LANGUAGES:
            if language != original:
                self.fields[f"reason_{language}"] = forms.CharField(
                    label=_("The same in %(language)s (optional)")
                    % {"language": ContentLanguage(language).label},
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3, "lang": language}),
                )

    def translations(self):
        return {
            language: self.cleaned_data[f"reason_{language}"]
            for language in CONTENT_LANGUAGES
            if self.cleaned_data.get(f"reason_{language}", "").strip()
        }


class CaseForm(forms.ModelForm):
    """The clean case a moderator edits: used to publish and to edit a published case."""

    outcomes = forms.MultipleChoiceField(
        label=_("What followed"),
        choices=CaseOutcome.Outcome.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # The facts in the model's order, with what a reader sees first: the text in the
    # three languages, side by side (stacked on a phone; see `language-columns` in CSS).
    field_order = [
        "original_language",
        *(translated(name, lang) for lang in CONTENT_LANGUAGES for name in TRANSLATED_FACTS),
    ]

    class Meta:
        model = Case
        fields = CASE_FACTS
        widgets = {
            "event_date": IsoDateInput(),
            "event_date_not_before": IsoDateInput(),
            "event_date_not_after": IsoDateInput(),
            "first_reported_on": IsoDateInput(),
            **{
                translated("summary", language): forms.Textarea(attrs={"rows": 8, "lang": language})
                for language in CONTENT_LANGUAGES
            },
            **{
                translated("title", language): forms.TextInput(attrs={"lang": language})
                for language in CONTENT_LANGUAGES
            },
        }
        help_texts = {
            translated("summary", language): _(
                "In neutral words. Remove names that no source published, phone numbers, "
                "addresses and anything that could identify the submitter."
            )
            for language in CONTENT_LANGUAGES
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A report may leave it open; a case may not (tracker_case_has_refusal_kind).
        self.fields["refusal_kind"].required = True
        # Left out, it stays what it was (the report's language when publishing).
        self.fields["original_language"].required = False
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.render_unmentioned_fields = True
        self.helper.layout = Layout(
            Fieldset(
                _("Text in three languages"),
                HTML(
                    "<p class='form-text'>"
                    + str(
                        _(
                            "Write the title and summary in the original language at least; "
                            "a case missing a language is published and listed as needing "
                            "translation."
                        )
                    )
                    + "</p>"
                ),
                "original_language",
                Div(
                    *(
                        Div(
                            *(translated(name, language) for name in TRANSLATED_FACTS),
                            css_class="language-column",
                            lang=language,
                        )
                        for language in CONTENT_LANGUAGES
                    ),
                    css_class="language-columns",
                ),
            ),
        )

    def clean_original_language(self):
        return (
            self.cleaned_data["original_language"]
            or self.initial.get("original_language")
            or self.instance.original_language
        )

    def clean(self):
        cleaned = super().clean()
        original = cleaned.get("original_language")
        if original:
            for name in TRANSLATED_FACTS:
                field = translated(name, original)
                if field in cleaned and not cleaned[field]:
                    self.add_error(
                        field,
                        _(
                            "Write this in the original language (%(language)s), or choose "
                            "the language the case was first written in."
                        )
                        % {"language": ContentLanguage(original).label},
                    )

        # The same rules as the database constraints on Case, said in words a moderator can
        # act on (a violated constraint would only name itself).
        unknown = Case.PeopleQualifier.UNKNOWN
        count, qualifier = cleaned.get("people_count"), cleaned.get("people_qualifier")
        if count is None and qualifier in WORD_QUALIFIER_COUNTS:
            # "Several" and "several hundred" are counted as the least they mean.
            count = cleaned["people_count"] = WORD_QUALIFIER_COUNTS[qualifier]
        if count is not None and qualifier == unknown:
            self.add_error(
                "people_qualifier",
                _("Say how exact the number of people is, or leave the number empty."),
            )
        elif count is None and qualifier and qualifier != unknown:
            self.add_error(
                "people_qualifier", _("Without a number of people, choose “unknown” here.")
            )
        not_before = cleaned.get("event_date_not_before")
        not_after = cleaned.get("event_date_not_after")
        if not_before and not_after and not_before > not_after:
            self.add_error(
                "event_date_not_after",
                _("“Refusal not before” must not be later than “refusal not after”."),
            )
        return cleaned

    def case_data(self):
        return {**self.cleaned_data}


class PublishForm(CaseForm):
    def __init__(self, *args, suggested, report_text="", **kwargs):
        super().__init__(*args, **kwargs)
        self.suggested = suggested
        self.report_text = report_text
        self.fields["confidence"].help_text = _(
            "The verified sources support “%(grade)s” (the rule on the methodology page). "
            "You may lower it, saying why below."
        ) % {"grade": Case.Confidence(suggested).label}

    def _clean_translated_summary(self, language):
        # Every language version: a translation of the report's words is still its words
        # when the report was written in that language.
        summary = self.cleaned_data[translated("summary", language)]
        refuse_verbatim(summary, self.report_text)
        return summary

    def clean_summary_en(self):
        return self._clean_translated_summary("en")

    def clean_summary_ru(self):
        return self._clean_translated_summary("ru")

    def clean_summary_uk(self):
        return self._clean_translated_summary("uk")

    def clean(self):
        cleaned = super().clean()
        if "confidence" in cleaned:
            try:
                services.check_confidence(
                    cleaned["confidence"], self.suggested, cleaned.get("confidence_note")
                )
            except services.ModerationError as error:
                self.add_error("confidence", str(error))
        return cleaned


def initial_case_data(submission):
    """The publish form prefilled from the report's structured answers. Title and summary
    start empty: the moderator writes them, with the report's text beside the form."""
    initial = {field: getattr(submission, field) for field in REPORTED_FACTS}
    if submission.language in CONTENT_LANGUAGES:
        # The moderator most likely writes the case in the report's language.
        initial["original_language"] = submission.language
    initial.update(
        first_reported_on=min(
            (s.published_on for s in submission.sources.all() if s.published_on), default=None
        ),
        confidence=services.suggested_confidence(submission.sources.all()),
        outcomes=submission.outcomes,
    )
    return initial


def _correction_note(label, language):
    return forms.CharField(
        label=label,
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"lang": language}),
    )


class CaseEditForm(CaseForm):
    # The public note in each content language, side by side like the case's text; the
    # case page shows the reader's version, or the original with a label.
    correction_note_en = _correction_note(_("Public correction note in English (optional)"), "en")
    correction_note_ru = _correction_note(_("Public correction note in Russian (optional)"), "ru")
    correction_note_uk = _correction_note(_("Public correction note in Ukrainian (optional)"), "uk")
    # The version this form was made from; a save made from an older one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout.append(
            Fieldset(
                _("Public correction note (optional)"),
                HTML(
                    "<p class='form-text'>"
                    + str(
                        _(
                            "A published case's page lists what changed, with today's date; "
                            "a note here is shown beside that line, e.g. “The unit number "
                            "was misread in the first report.”"
                        )
                    )
                    + "</p>"
                ),
                Div(
                    *(
                        Div(
                            f"correction_note_{language}",
                            css_class="language-column",
                            lang=language,
                        )
                        for language in CONTENT_LANGUAGES
                    ),
                    css_class="language-columns",
                ),
            )
        )
        self.initial.setdefault("outcomes", self.instance.outcomes)
        self.initial.setdefault("version", self.instance.version)
        self.grade = services.case_grade(self.instance)
        # Help texts are rendered as HTML; the reason names the sources' outlets.
        self.fields["confidence"].help_text = _(
            "The case's sources support “%(grade)s” (%(reason)s). You may lower it, saying why."
        ) % {"grade": self.grade.label, "reason": escape(self.grade.reason)}

    def correction_notes(self):
        """The note in each language the moderator wrote it in, for edit_case."""
        return {
            language: self.cleaned_data.get(f"correction_note_{language}", "")
            for language in CONTENT_LANGUAGES
        }

    def clean(self):
        cleaned = super().clean()
        # Checked when the moderator changes the grade or its reason: an untouched grade
        # of a case published before the rule was computed is left as it was.
        touched = {"confidence", "confidence_note"} & set(self.changed_data)
        if touched and "confidence" in cleaned:
            try:
                services.check_confidence(
                    cleaned["confidence"], self.grade.confidence, cleaned.get("confidence_note")
                )
            except services.ModerationError as error:
                self.add_error("confidence", str(error))
        return cleaned


LEGAL_EVENT_FIELDS = ("court", "legal_basis", "claimants", "result", "closed_hearing")


def _by_language(data, prefix):
    return {
        language: data[f"{prefix}_{language}"]
        for language in CONTENT_LANGUAGES
        if data.get(f"{prefix}_{language}")
    }


class MergeForm(forms.Form):
    case = forms.IntegerField(
        label=_("Case number"),
        min_value=1,
        help_text=_("The number in the case's address, /cases/<number>/."),
    )
    outcomes = forms.MultipleChoiceField(
        label=_("Outcomes to add"),
        choices=CaseOutcome.Outcome.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    people_count = forms.IntegerField(label=_("New number of people"), min_value=1, required=False)
    people_qualifier = forms.ChoiceField(
        label=_("Number is"), choices=Case.PeopleQualifier.choices, required=False
    )
    # What a merge adds to the text is written in every language the case is written
    # in, so that no reader misses it (labels: __init__).
    summary_addition_en = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    summary_addition_ru = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    summary_addition_uk = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    event_date = forms.DateField(
        label=_("Timeline event: date"),
        required=False,
        widget=IsoDateInput(),
    )
    event_date_precision = forms.ChoiceField(
        label=_("Date precision"),
        choices=DatePrecision.choices,
        initial=DatePrecision.DAY,
        required=False,
    )
    event_kind = forms.ChoiceField(
        label=_("Timeline event: kind"),
        choices=[("", "—")] + list(CaseEvent.Kind.choices),
        required=False,
    )
    event_description_en = forms.CharField(required=False, max_length=1000)
    event_description_ru = forms.CharField(required=False, max_length=1000)
    event_description_uk = forms.CharField(required=False, max_length=1000)
    # A timeline event that is a step of legal proceedings says more (tracker LEGAL_KINDS).
    event_court = forms.CharField(label=_("Legal step: court"), required=False, max_length=200)
    event_legal_basis = forms.ChoiceField(
        label=_("Legal step: article or ground"),
        choices=[("", "—")] + list(CaseEvent.LegalBasis.choices),
        required=False,
    )
    event_claimants = forms.IntegerField(
        label=_("Legal step: number of claimants"), min_value=1, required=False
    )
    event_result = forms.ChoiceField(
        label=_("Legal step: result"),
        choices=[("", "—")] + list(CaseEvent.Result.choices),
        required=False,
    )
    event_closed_hearing = _yes_no(_("Legal step: heard behind closed doors?"))
    correction_note = forms.CharField(
        label=_("Public correction note (optional)"),
        required=False,
        max_length=300,
        help_text=_(
            "The case page lists what the merge added, with today's date; a note here is "
            "shown beside that line."
        ),
    )
    # The version of the case the confirmation page showed; set by that page.
    case_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, report_text="", **kwargs):
        super().__init__(*args, **kwargs)
        self.report_text = report_text
        for language in CONTENT_LANGUAGES:
            name = {"language": ContentLanguage(language).label}
            addition = self.fields[f"summary_addition_{language}"]
            addition.label = _("Add to the summary, in %(language)s") % name
            addition.help_text = (
                _("Neutral words, no private details; appended to the summary in %(language)s.")
                % name
            )
            description = self.fields[f"event_description_{language}"]
            description.label = _("Timeline event: what happened, in %(language)s") % name
            for field in (addition, description):
                field.widget.attrs["lang"] = language

    def _clean_addition(self, language):
        addition = self.cleaned_data[f"summary_addition_{language}"]
        refuse_verbatim(addition, self.report_text)
        return addition

    def clean_summary_addition_en(self):
        return self._clean_addition("en")

    def clean_summary_addition_ru(self):
        return self._clean_addition("ru")

    def clean_summary_addition_uk(self):
        return self._clean_addition("uk")

    def _in_the_case_languages(self, case, prefix):
        """Text added in some language must be added in each language the case is
        written in (else its readers in one of them would not see it), and in no other
        (a version the case does not have yet is written whole when it is translated)."""
        given = {lang for lang in CONTENT_LANGUAGES if self.cleaned_data.get(f"{prefix}_{lang}")}
        if not given:
            return
        written = {
            lang
            for lang in CONTENT_LANGUAGES
            if lang == case.original_language or case.text_in("summary", lang)
        }
        for language in CONTENT_LANGUAGES:
            name = {"language": ContentLanguage(language).label, "id": case.pk}
            if language in written and language not in given:
                self.add_error(
                    f"{prefix}_{language}",
                    _(
                        "Case #%(id)s is also written in %(language)s: add the same in that "
                        "language, so that its readers see it too."
                    )
                    % name,
                )
            elif language in given and language not in written:
                self.add_error(
                    f"{prefix}_{language}",
                    _(
                        "Case #%(id)s has no version in %(language)s yet: leave this empty; "
                        "it is written whole when the case is translated."
                    )
                    % name,
                )

    def clean_case(self):
        try:
            return Case.objects.public().get(pk=self.cleaned_data["case"])
        except Case.DoesNotExist:
            raise ValidationError(_("There is no published case with this number.")) from None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("people_count"):
            qualifier = cleaned.get("people_qualifier")
            if not qualifier or qualifier == Case.PeopleQualifier.UNKNOWN:
                self.add_error("people_qualifier", _("Say whether the number is exact."))
        described = any(cleaned.get(f"event_description_{lang}") for lang in CONTENT_LANGUAGES)
        event = [cleaned.get("event_date"), cleaned.get("event_kind"), described]
        if any(event) and not all(event):
            self.add_error(None, _("A timeline event needs a date, kind and text."))
        if case := cleaned.get("case"):
            self._in_the_case_languages(case, "summary_addition")
            self._in_the_case_languages(case, "event_description")
        legal = [cleaned.get(f"event_{name}") for name in LEGAL_EVENT_FIELDS]
        if any(value not in (None, "") for value in legal) and (
            cleaned.get("event_kind") not in LEGAL_KINDS
        ):
            self.add_error(
                "event_kind",
                _("Court, article, claimants and result belong to a step of legal proceedings."),
            )
        return cleaned

    def merge_data(self):
        data = self.cleaned_data
        merge_data = {
            "outcomes": data["outcomes"],
            "people_count": data.get("people_count"),
            "people_qualifier": data.get("people_qualifier"),
            # {language: text}, in each language the case is written in (`clean`).
            "summary_addition": _by_language(data, "summary_addition"),
            "correction_note": data.get("correction_note", ""),
        }
        if data.get("event_date"):
            merge_data["event"] = {
                "date": data["event_date"],
                "date_precision": data.get("event_date_precision") or DatePrecision.DAY,
                "kind": data["event_kind"],
                "description": _by_language(data, "event_description"),
                **{name: data.get(f"event_{name}") for name in LEGAL_EVENT_FIELDS},
            }
            for name in ("court", "legal_basis", "result"):
                merge_data["event"][name] = merge_data["event"][name] or ""
        return merge_data
