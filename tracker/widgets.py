"""Form widgets: the date input every form uses, and the public listing's filter form,
which every listing request renders."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language


class IsoDateInput(forms.DateInput):
    """<input type="date">, whose value the browser reads only as YYYY-MM-DD: in the
    localised format (28.02.2022 in Russian) it shows an empty field, and saving the form
    would erase the date."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class FastSelect(forms.Select):
    """A <select> whose options are joined in Python instead of rendering a template per
    option: the same HTML as forms.Select for single, ungrouped choices, in a fraction of
    the time (the home region list has about ninety options)."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = self.format_value(value)
        selected = selected[0] if selected else None
        options = []
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):  # option groups: let Django draw them
                return super().render(name, value, attrs, renderer)
            option_value = "" if option_value is None else str(option_value)
            mark = " selected" if option_value == selected else ""
            options.append(f'<option value="{escape(option_value)}"{mark}>{escape(label)}</option>')
        attrs = self.build_attrs(self.attrs, attrs) | {"name": name}
        return mark_safe(f"<select{flatatt(attrs)}>{''.join(options)}</select>")  # noqa: S308


class FilterForm(forms.Form):
    """Base form of the listing's FilterSet, drawn by tracker/_filter_form.html: plain
    selects become FastSelects, and widgets get the site's form classes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                field.widget = FastSelect(attrs=field.widget.attrs)
                field.widget.choices = field.choices
            css_class = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css_class


class CachedModelChoices(forms.models.ModelChoiceIterator):
    """A ModelChoiceField's choices (value, label) in the active language, read from the
    database once per change to the public data (tracker.cache) instead of on every
    request: the region list, ninety rows, is in every listing page's form."""

    def __iter__(self):
        from .cache import cached_until_change

        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        model = self.queryset.model._meta.label_lower
        yield from cached_until_change(f"choices:{model}:{get_language()}", self._choices)

    def _choices(self):
        return [self.choice(obj) for obj in self.queryset]

    def choice(self, obj):
        return (self.field.prepare_value(obj), self.field.label_from_instance(obj))
