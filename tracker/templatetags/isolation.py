"""`{{ text|isolate }}`: text from people, direction-isolated in <bdi>, for places where a
template cannot wrap it itself (a value inside {% blocktranslate %}). A right-to-left
override (U+202E) in it then cannot turn the sentence around it."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def isolate(text):
    return format_html("<bdi>{}</bdi>", text)
