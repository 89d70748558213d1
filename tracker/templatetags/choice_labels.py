"""`{{ case.force|choice_label:"force" }}`: the translated label of a choice value.

Model.get_FOO_display() rebuilds the field's choices dict and translates the label on
every call; a listing row shows four of them, 25–100 rows a page. Here each language's
labels are translated once per process (the choices are fixed in code).
"""

import functools

from django import template
from django.utils.translation import get_language

from tracker.models import Case, CaseOutcome

register = template.Library()

CHOICES = {
    "force": Case.Force,
    "refusal_kind": Case.RefusalKind,
    "confidence": Case.Confidence,
    "outcome": CaseOutcome.Outcome,
}


@functools.cache
def _labels(name, language):
    return {value: str(label) for value, label in CHOICES[name].choices}


@register.filter
def choice_label(value, name):
    return _labels(name, get_language()).get(value, value)
