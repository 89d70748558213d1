from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from submissions.models import Submission, SubmissionSource
from tracker.models import Case, CaseEvent, CaseOutcome, DatePrecision

from . import services

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
        fields = ["reachable", "supports_report", "independent", "verification_note"]
        widgets = {"verification_note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prefix = f"source-{self.instance.pk}"
        for name in ("reachable", "supports_report", "independent"):
            value = getattr(self.instance, name)
            self.initial[name] = "" if value is None else str(value).lower()


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
    reason = forms.CharField(
        label=_("Why the case is withdrawn"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown publicly on the case's page."),
    )


class CaseForm(forms.ModelForm):
    """The clean case a moderator edits: used to publish and to edit a published case."""

    outcomes = forms.MultipleChoiceField(
        label=_("What followed"),
        choices=CaseOutcome.Outcome.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Case
        fields = services.CASE_FIELDS
        widgets = {
            "event_date": forms.DateInput(attrs={"type": "date"}),
            "first_reported_on": forms.DateInput(attrs={"type": "date"}),
            "summary": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "summary": _(
                "In neutral words. Remove names that no source published, phone numbers, "
                "addresses and anything that could identify the submitter."
            ),
        }

    def clean(self):
        cleaned = super().clean()
        # The same rules as the database constraints on Case, said in words a moderator can
        # act on (a violated constraint would only name itself).
        unknown = Case.PeopleQualifier.UNKNOWN
        count, qualifier = cleaned.get("people_count"), cleaned.get("people_qualifier")
        if count is not None and qualifier == unknown:
            self.add_error(
                "people_qualifier",
                _("Say how exact the number of people is, or leave the number empty."),
            )
        elif count is None and qualifier and qualifier != unknown:
            self.add_error(
                "people_qualifier", _("Without a number of people, choose “unknown” here.")
            )
        return cleaned

    def case_data(self):
        return {**self.cleaned_data}


class PublishForm(CaseForm):
    confidence_reason = forms.CharField(
        label=_("Why the confidence is lower than the sources support"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, suggested, **kwargs):
        super().__init__(*args, **kwargs)
        self.suggested = suggested
        self.fields["confidence"].help_text = _(
            "The verified sources support “%(grade)s”. You may lower it with a reason."
        ) % {"grade": Case.Confidence(suggested).label}

    def clean(self):
        cleaned = super().clean()
        if "confidence" in cleaned:
            try:
                services.check_confidence(
                    cleaned["confidence"], self.suggested, cleaned.get("confidence_reason")
                )
            except services.ModerationError as error:
                raise ValidationError(str(error)) from None
        return cleaned


def initial_case_data(submission):
    """The publish form prefilled from what the submitter sent."""
    return {
        "title": "",
        "summary": submission.what_happened,
        "event_date": submission.event_date,
        "event_date_precision": submission.event_date_precision,
        "first_reported_on": min(
            (s.published_on for s in submission.sources.all() if s.published_on), default=None
        ),
        "people_count": submission.people_count,
        "people_qualifier": submission.people_qualifier,
        "service_status": submission.service_status,
        "force": submission.force,
        "unit": submission.unit,
        "home_region": submission.home_region_id,
        "location_country": submission.location_country,
        "location": submission.location,
        "refusal_kind": submission.refusal_kind,
        "confidence": services.suggested_confidence(submission.sources.all()),
        "outcomes": submission.outcomes,
    }


class CaseEditForm(CaseForm):
    correction_note = forms.CharField(
        label=_("Public correction note"),
        required=False,
        max_length=300,
        help_text=_(
            "Shown on the case page with today's date, e.g. “Corrected the unit number.” "
            "Required when a published case changes."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("outcomes", self.instance.outcomes)

    def clean(self):
        cleaned = super().clean()
        changed = set(self.changed_data) - {"correction_note"}
        if self.instance.is_public and changed and not cleaned.get("correction_note"):
            self.add_error(
                "correction_note", _("Say in general terms what changed; readers see it.")
            )
        return cleaned


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
    summary_addition = forms.CharField(
        label=_("Add to the summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Neutral words, no private details; appended to the case summary."),
    )
    event_date = forms.DateField(
        label=_("Timeline event: date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    event_date_precision = forms.ChoiceField(
        label=_("Date precision"), choices=DatePrecision.choices, initial="day", required=False
    )
    event_kind = forms.ChoiceField(
        label=_("Timeline event: kind"),
        choices=[("", "—")] + list(CaseEvent.Kind.choices),
        required=False,
    )
    event_description = forms.CharField(
        label=_("Timeline event: what happened"), required=False, max_length=1000
    )
    correction_note = forms.CharField(
        label=_("Public correction note"),
        max_length=300,
        initial=_("Added a source and information from a further report."),
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
        event = [
            cleaned.get("event_date"),
            cleaned.get("event_kind"),
            cleaned.get("event_description"),
        ]
        if any(event) and not all(event):
            self.add_error("event_description", _("A timeline event needs a date, kind and text."))
        return cleaned

    def merge_data(self):
        data = self.cleaned_data
        merge_data = {
            "outcomes": data["outcomes"],
            "people_count": data.get("people_count"),
            "people_qualifier": data.get("people_qualifier"),
            "summary_addition": data.get("summary_addition", ""),
            "correction_note": data["correction_note"],
        }
        if data.get("event_date"):
            merge_data["event"] = {
                "date": data["event_date"],
                "date_precision": data.get("event_date_precision") or "day",
                "kind": data["event_kind"],
                "description": data["event_description"],
            }
        return merge_data
