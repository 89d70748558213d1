from django import template

from tracker.models.related import change_label as label_of

register = template.Library()


@register.filter
def change_label(name):
    """The reader's word for a changed fact (“unit”, “place where it happened”)."""
    return label_of(name)
