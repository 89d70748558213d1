"""The report form's error banner: every field that needs another look, as a link to the
field itself, so that a reader on a phone does not have to hunt for red text."""

from django import forms
from django.utils.translation import gettext as _

# The order of the questions on the page (templates/submissions/submit.html); SOURCES
# stands for the rows of links. The honeypot field is hidden from people and left out.
PAGE_ORDER = [
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
    "outcomes",
    "SOURCES",
    "attachments",
    "relation",
    "contact",
    "consent_to_publish",
]
# Fields whose inputs are numbered (one per choice): the link goes to the first choice.
NUMBERED_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


def _link(field, label=None):
    widget = field.field.widget
    target = f"{field.auto_id}_0" if isinstance(widget, NUMBERED_WIDGETS) else field.auto_id
    return {"id": target, "label": label or field.label, "message": field.errors[0]}


def error_links(form, sources):
    """[{"id", "label", "message"}] for each field with an error, in the page's order."""
    links = []
    for name in PAGE_ORDER:
        if name == "SOURCES":
            for number, row in enumerate(sources.forms, start=1):
                for field in row.visible_fields():
                    if field.errors:
                        label = _("Source %(number)s: %(field)s") % {
                            "number": number,
                            "field": field.label,
                        }
                        links.append(_link(field, label))
        elif name in form.fields and form[name].errors:
            links.append(_link(form[name]))
    return links
