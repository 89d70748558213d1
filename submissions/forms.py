"""The public forms: a report, its sources, an answer to a question, the receipt lookup.

Every form gives itself back with the user's input when something is wrong; the messages
say what to change. Files cannot be given back (browsers do not allow it): the template
says so whenever the form comes back.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, URLValidator
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from tracker.models import Case, CaseOutcome, DatePrecision
from tracker.widgets import IsoDateInput

from . import formtoken, uploads
from .models import Submission
from .regions import region_choices

TEXT_LIMIT = 20_000

# Questions whose "don't know" answer is the model's default: left out, they mean that.
DEFAULTED_FIELDS = [
    "event_date_precision",
    "location_country",
    "force",
    "people_qualifier",
    "service_status",
]

FORM_TOKEN_ERRORS = {
    "too_fast": _(
        "The form was sent faster than a person can fill it in. Please check your answers "
        "and send it again."
    ),
    "stale": _(
        "The form was open for a very long time. Please check your answers and send it again."
    ),
    "invalid": _(
        "The form could not be checked (the page may be old or incomplete). Please check "
        "your answers and send it again."
    ),
}


def validate_readable(value):
    """Refuse text with characters that could not be read: invalid UTF-8 arrives as U+FFFD,
    and a lone surrogate cannot be stored or shown."""
    if any(char == "\ufffd" or "\ud800" <= char <= "\udfff" for char in value):
        raise ValidationError(
            _(
                "This text contains characters that could not be read (perhaps from a broken "
                "copy and paste). Please retype the marked part (shown as �)."
            ),
            code="unreadable",
        )


def validate_not_future(value):
    if value and value > timezone.localdate():
        raise ValidationError(_("This date is in the future."), code="future_date")


class ReadableTextMixin:
    """Adds validate_readable to every text field of the form, and keeps the browser from
    remembering what was typed in any field (a shared or seized device must not offer a
    report's unit, place or contact as a suggestion)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(validate_readable)
            if not isinstance(field.widget, forms.HiddenInput | forms.FileInput):
                field.widget.attrs.setdefault("autocomplete", "off")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def _upload_limits():
    return {
        "files": settings.SUBMISSION_MAX_FILES,
        "each": filesizeformat(settings.SUBMISSION_MAX_FILE_SIZE),
        "total": filesizeformat(settings.SUBMISSION_MAX_TOTAL_UPLOAD),
    }


def with_upload_limits(text):
    """A help text that states the upload limits the settings set, when it is shown."""
    return lazy(lambda: str(text) % _upload_limits(), str)()


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list of uploads checked by content."""

    def __init__(self, **kwargs):
        accept = ".jpg,.jpeg,.png,.webp,.pdf"
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, data):
        return list(data) if isinstance(data, list | tuple) else ([data] if data else [])

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")

    def clean(self, data, initial=None):
        files = self.to_python(data)
        self.validate(files)
        uploads.check_sizes(files)
        cleaned, errors = [], []
        for number, upload in enumerate(files, start=1):
            try:
                cleaned.append(uploads.clean_upload(upload))
            except ValidationError as error:
                for message in error.messages:
                    errors.append(
                        _("File %(number)d: %(message)s") % {"number": number, "message": message}
                    )
        if errors:
            raise ValidationError(errors)
        return cleaned


class WebLinkField(forms.URLField):
    """A link a moderator will open: http or https only (no javascript:, data:, file:)."""

    default_error_messages = {
        "invalid": _("Enter a web address that starts with http:// or https://."),
    }
    default_validators = [URLValidator(schemes=["http", "https"])]

    def __init__(self, **kwargs):
        super().__init__(assume_scheme="https", **kwargs)


class SubmissionForm(ReadableTextMixin, forms.ModelForm):
    outcomes = forms.MultipleChoiceField(
        label=_("What followed"),
        choices=CaseOutcome.Outcome.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick everything you know of."),
    )
    attachments = MultipleFileField(
        label=_("Photos or documents"),
        help_text=with_upload_limits(
            _(
                "Up to %(files)d files: JPEG, PNG or WebP photos, or PDF documents; at most "
                "%(each)s each and %(total)s together. We remove location and camera data from "
                "photos before storing "
                "them, and rewrite PDFs without their author, metadata, scripts, links that open "
                "by themselves and attachments. Names in the text itself stay: remove those you "
                "do not want to "
                "share before sending one."
            )
        ),
    )
    contact = forms.CharField(
        label=_("How can we reach you? (optional)"),
        required=False,
        max_length=500,
        help_text=_(
            "An e-mail address, Signal, Telegram, or nothing. Only moderators can read it, it "
            "is stored encrypted, and it is deleted some weeks after we decide on your report."
        ),
    )
    # A trap for programs that fill in every field; people do not see it.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Submission
        fields = [
            "what_happened",
            "event_date",
            "event_date_precision",
            "home_region",
            "location_country",
            "location",
            "force",
            "unit",
            "people_count",
            "people_qualifier",
            "service_status",
            "refusal_kind",
            "relation",
            "consent_to_publish",
        ]
        labels = {
            "what_happened": _("What happened?"),
            "event_date": _("When did it happen?"),
            "event_date_precision": _("How exact is this date?"),
            "home_region": _("Home region of the unit or of the people"),
            "location_country": _("Country where it happened"),
            "location": _("Place where it happened"),
            "force": _("Which force do they serve in?"),
            "unit": _("Unit"),
            "people_count": _("How many people refused?"),
            "people_qualifier": _("This number is"),
            "service_status": _("Service status"),
            "refusal_kind": _("What kind of refusal?"),
            "relation": _("How do you know about it?"),
            "consent_to_publish": _(
                "I agree that a summary in the project's own words may be published, "
                "without my name or contact."
            ),
        }
        help_texts = {
            "what_happened": _(
                "In your own words, in any language. Who refused, when, where, and what "
                "followed. Leave out anything that could identify you if you wish."
            ),
            "event_date": _("If you know only the month or the year, pick any day in it."),
            "location": _("For example: Kharkiv oblast, Belgorod, a training ground."),
            "unit": _("For example: military unit 3723, 64th motorised rifle brigade."),
            "consent_to_publish": _(
                "Nothing is published before a moderator has checked it against sources."
            ),
        }
        widgets = {
            "what_happened": forms.Textarea(attrs={"rows": 8}),
            "event_date": IsoDateInput(),
            "relation": forms.RadioSelect,
        }
        error_messages = {
            "what_happened": {
                "required": _("Please tell us what happened."),
                "max_length": _(
                    "Please shorten the text to %(limit_value)d characters (it has "
                    "%(show_value)d). A long document can be attached as a PDF."
                ),
            },
            "consent_to_publish": {
                "required": _(
                    "We can only use a report if a summary may be published. Please tick the box."
                ),
            },
            "relation": {"required": _("Please say how you know about it.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["what_happened"].max_length = TEXT_LIMIT
        self.fields["what_happened"].widget.attrs["maxlength"] = TEXT_LIMIT
        self.fields["what_happened"].validators.append(MaxLengthValidator(TEXT_LIMIT))
        self.fields["consent_to_publish"].required = True
        self.fields["relation"].choices = Submission.Relation.choices  # no "---------" radio
        for name in DEFAULTED_FIELDS:
            self.fields[name].required = False
        self.fields["event_date"].validators.append(validate_not_future)
        self.fields["people_count"].min_value = 1
        # By code, from choices that need no database (submissions/regions.py).
        region = self.fields["home_region"]
        region.to_field_name = "code"
        region.choices = [("", _("I don't know")), *region_choices()]
        self.fields["refusal_kind"].choices = [("", _("I don't know"))] + [
            choice for choice in self.fields["refusal_kind"].choices if choice[0]
        ]

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise ValidationError(_("Please leave this field empty."), code="honeypot")
        return ""

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned["form_nonce"] = formtoken.check(cleaned.get("form_token"))
        except formtoken.TokenError as error:
            message = FORM_TOKEN_ERRORS[error.reason]
            self.add_error(None, ValidationError(message, code=error.reason))
        for name in DEFAULTED_FIELDS:
            if not cleaned.get(name):
                cleaned[name] = Submission._meta.get_field(name).default
        if cleaned.get("event_date"):
            if cleaned.get("event_date_precision") == DatePrecision.UNKNOWN:
                cleaned["event_date_precision"] = DatePrecision.DAY
        else:
            cleaned["event_date_precision"] = DatePrecision.UNKNOWN
        # As with the date: a number given without saying how exact counts as approximate,
        # and a qualifier without a number means nothing. A case needs the two to agree.
        unknown = Case.PeopleQualifier.UNKNOWN
        if cleaned.get("people_count"):
            if cleaned.get("people_qualifier") == unknown:
                cleaned["people_qualifier"] = Case.PeopleQualifier.ABOUT
        else:
            cleaned["people_qualifier"] = unknown
        return cleaned

    def submission_fields(self):
        """The cleaned answers that are columns of Submission."""
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        fields["outcomes"] = self.cleaned_data["outcomes"]
        return fields


class SourceForm(ReadableTextMixin, forms.Form):
    url = WebLinkField(label=_("Link"), max_length=1000, required=False)
    outlet = forms.CharField(
        label=_("Outlet or channel"),
        max_length=200,
        required=False,
        help_text=_("For example: Mediazona, a Telegram channel's name."),
    )
    published_on = forms.DateField(
        label=_("Published on"),
        required=False,
        validators=[validate_not_future],
        widget=IsoDateInput(),
    )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("url") and not cleaned.get("outlet"):
            raise ValidationError(
                _("Please give the link or the name of the outlet."), code="source_incomplete"
            )
        return cleaned


class BaseSourceFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": ngettext_lazy(
            "At most %(num)d source; please put further links into the text.",
            "At most %(num)d sources; please put further links into the text.",
            "num",
        ),
    }

    def sources(self):
        """The rows the submitter filled in, as dicts for SubmissionSource."""
        return [form.cleaned_data for form in self.forms if form.has_changed()]


MAX_SOURCES = 10

SourceFormSet = forms.formset_factory(
    SourceForm,
    formset=BaseSourceFormSet,
    extra=MAX_SOURCES,
    max_num=MAX_SOURCES,
    absolute_max=MAX_SOURCES,
    validate_max=True,
)


class ReceiptCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Receipt code"),
        max_length=64,
        help_text=_("The code you were given after sending, like K7QF-M2XD-9RTA-W4HE-P6NC."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class AnswerForm(ReadableTextMixin, forms.Form):
    code = forms.CharField(widget=forms.HiddenInput, max_length=64)
    text = forms.CharField(
        label=_("Your answer"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Please write your answer.")},
    )
    attachments = MultipleFileField(
        label=_("More photos or documents (optional)"),
        help_text=with_upload_limits(
            _(
                "Up to %(files)d files: JPEG, PNG, WebP or PDF, at most %(each)s each. Location "
                "and camera "
                "data are removed from photos; PDFs are cleaned of metadata and scripts."
            )
        ),
    )


class WithdrawForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm = forms.BooleanField(
        label=_("I want to withdraw this report. This cannot be undone."),
        error_messages={"required": _("Please tick the box to confirm.")},
    )
