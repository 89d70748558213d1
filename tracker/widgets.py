"""Form widgets: the date input every form uses, and the public listing's filter form,
which every listing request renders."""

import copy
import functools
import html

from django import forms
from django.forms.utils import flatatt
from django.utils.formats import number_format
from django.utils.html import conditional_escape
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
    the time (the home region list has about ninety options).

    `counts` ({value: number}: the filter form passes each request's, from
    tracker.facets.label_options) writes "label — number" for every value but the empty
    one. Choices set in code are escaped once per form class and language
    (`fixed_options`), the region list once per language and change
    (`CachedModelChoices.escaped`), instead of translating and escaping them on every
    request; the options drawn are kept for the same arguments (`_options`)."""

    counts = None
    # [(escaped value, escaped label)] of choices fixed in code, made once per form class
    # (FilterForm.prepare_fields), which is made once per language.
    fixed_options = None

    def render(self, name, value, attrs=None, renderer=None, counts=None):
        selected = self.format_value(value)
        selected = escape(selected[0]) if selected else None
        choices = self.fixed_options
        if choices is None:
            escaped = getattr(self.choices, "escaped", None)
            choices = escaped() if escaped else self._escaped(self.choices)
        if choices is None:  # option groups: let Django draw them
            return super().render(name, value, attrs, renderer)
        counts = self.counts if counts is None else counts
        options = _options(
            tuple(choices),
            selected,
            get_language(),
            None if counts is None else tuple(counts.items()),
        )
        attrs = self.build_attrs(self.attrs, attrs) | {"name": name}
        return mark_safe(f"<select{_flatatt(tuple(attrs.items()))}>{options}</select>")  # noqa: S308

    @staticmethod
    def _escaped(choices):
        """[(escaped value, escaped label)], or None for grouped choices."""
        escaped = []
        for option_value, label in choices:
            if isinstance(label, (list, tuple)):
                return None
            value = "" if option_value is None else str(option_value)
            escaped.append((escape(value), escape(str(label))))
        return escaped


# A few kilobytes each (the region list): at most a few megabytes per process.
@functools.lru_cache(maxsize=256)
def _options(choices, selected, language, counts):
    """The <option>s of escaped `choices` with `selected` marked and each value's count
    from `counts` ((value, number) pairs, or None), as `language` writes numbers. Kept
    for the same arguments: the selects of a listing without filters, or with the same
    filters, are drawn again and again with the same counts."""
    counts = None if counts is None else dict(counts)
    options = []
    for option_value, text in choices:
        mark = " selected" if option_value == selected else ""
        if counts is not None and option_value:
            text = f"{text} — {_format_count(counts.get(option_value, 0), language)}"
        options.append(f'<option value="{option_value}"{mark}>{text}</option>')
    return "".join(options)


def escape(text):
    """django.utils.html.escape without its lazy-string wrapper and SafeString: the same
    characters escaped (both are the standard library's html.escape), called some two
    hundred times per listing page."""
    return html.escape(str(text))


@functools.lru_cache(maxsize=256)
def _flatatt(items):
    """flatatt() of a select's attributes, which repeat from request to request (its
    class, id and name; aria-invalid where it has an error)."""
    return flatatt(dict(items))


@functools.lru_cache(maxsize=4096)
def _format_count(count, language):
    return number_format(count, force_grouping=True)


def format_count(count):
    """A count as the reader's language writes it (1,234 / 1 234), made once per number
    and language: the filter form shows about 130 of them."""
    return _format_count(count, get_language())


class FastInput:
    """Mixin: the same HTML as Django's input widgets (django/forms/widgets/input.html),
    joined in Python instead of rendering two templates per field."""

    def render(self, name, value, attrs=None, renderer=None):
        # What Input.get_context gives the template.
        attrs = self.build_attrs(self.attrs, attrs)
        html = _input(self.input_type, name, self.format_value(value), tuple(attrs.items()))
        return mark_safe(html)  # noqa: S308


@functools.lru_cache(maxsize=1024)
def _input(input_type, name, value, attrs):
    """An <input>'s HTML, kept for the same arguments (most filters are empty)."""
    html = f'<input type="{escape(input_type)}" name="{escape(name)}"'
    if value is not None:
        html += f' value="{escape(value)}"'
    for attr, attr_value in attrs:
        if attr_value is True:
            html += f" {attr}"
        elif attr_value is not False:
            html += f' {attr}="{escape(attr_value)}"'
    return html + ">"


FAST_INPUTS = {
    widget: type(f"Fast{widget.__name__}", (FastInput, widget), {})
    for widget in (forms.TextInput, forms.NumberInput, IsoDateInput)
}


class FilterForm(forms.Form):
    """Base form of the listing's FilterSet, drawn by `fields_html`: plain selects become
    FastSelects, and widgets get the site's form classes.

    The FilterSet makes its form class once per language (tracker.filters), and
    `prepare_fields` readies that class's fields once; each form then copies them
    without copying their choices (`FieldsCopiedLightly`)."""

    # {field name: {value: count}}, written beside a select's values (label_options).
    option_counts = {}

    @classmethod
    def prepare_fields(cls):
        for field in cls.base_fields.values():
            if type(field.widget) is forms.Select:
                field.widget = FastSelect(attrs=field.widget.attrs)
                field.widget.choices = field.choices
                if not isinstance(field, forms.ModelChoiceField):
                    # In the language the form class is made for (tracker.filters).
                    field.widget.fixed_options = FastSelect._escaped(field.choices)
            elif type(field.widget) in FAST_INPUTS:
                field.widget.__class__ = FAST_INPUTS[type(field.widget)]
            css_class = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css_class
            # Translated once, in the language the class is made for, not on every form.
            for text in ("label", "help_text", "empty_label"):
                if getattr(field, text, None) is not None:
                    setattr(field, text, str(getattr(field, text)))
            if "placeholder" in field.widget.attrs:
                field.widget.attrs["placeholder"] = str(field.widget.attrs["placeholder"])
        cls.base_fields = FieldsCopiedLightly(cls.base_fields)

    def fields_html(self):
        """Every field with its label, its help text and its errors, joined in Python: a
        template loop over the fourteen fields cost more than the widgets it drew."""
        parts = []
        for bound in self:
            auto_id, field, errors = bound.auto_id, bound.field, bound.errors
            help_text = (
                f'<p id="{auto_id}_helptext" class="form-text">{escape(field.help_text)}</p>'
                if field.help_text
                else ""
            )
            parts.append(
                f'\n<div id="div_{auto_id}" class="mb-3">\n'
                f'  <label for="{auto_id}" class="form-label">{escape(bound.label)}</label>\n'
                f"  {_widget_html(bound, errors)}\n  {help_text}"
                + "".join(
                    f'<p id="{auto_id}_error" class="invalid-feedback">'
                    f"<strong>{conditional_escape(error)}</strong></p>"
                    for error in errors
                )
                + "\n</div>\n"
            )
        return mark_safe("".join(parts))  # noqa: S308 (each part escaped above)


def _widget_html(bound, errors):
    """str(bound): the widget with the attributes BoundField.as_widget gives it, set here
    directly for the fast widgets (none required, disabled, hidden or with an id of its
    own, as in the filter form)."""
    field = bound.field
    widget = field.widget
    if not isinstance(widget, (FastSelect, FastInput)) or field.required or field.disabled:
        return str(bound)
    # In the order Django sets them, which an <input> keeps.
    attrs = {}
    if errors:
        attrs["aria-invalid"] = "true"
    described = [f"{bound.auto_id}_helptext"] if field.help_text else []
    if errors:
        described.append(f"{bound.auto_id}_error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    attrs["id"] = bound.auto_id
    if isinstance(widget, FastSelect):
        counts = bound.form.option_counts.get(bound.name)
        return widget.render(bound.html_name, bound.value(), attrs, counts=counts)
    return widget.render(bound.html_name, bound.value(), attrs)


class FieldsCopiedLightly(dict):
    """A form class's fields, which each form would deep-copy (`Field.__deepcopy__`: the
    field, its widget, their attributes and a select's ~150 choices): a fifth of the CPU
    of an uncached listing page. Nothing changes them per form here (the counts beside
    a select's values are the form's own, `option_counts`), so each form shares them;
    only a ModelChoiceField gets a copy with a queryset of its own, whose results the
    form may cache (the setter also gives the widget the field's choices)."""

    def __deepcopy__(self, memo):
        return {name: _copy_field(field) for name, field in self.items()}


def _copy_field(field):
    if not isinstance(field, forms.ModelChoiceField) or field.queryset is None:
        return field
    copied = copy.copy(field)
    copied.widget = copy.copy(field.widget)
    copied.widget.attrs = field.widget.attrs.copy()
    copied.queryset = field.queryset.all()
    return copied


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

    def escaped(self):
        """FastSelect's escaped options, made once per language and change to the public
        data in each process (a page's drawing knows its version without asking)."""
        from .cache import current_version

        label = str(self.field.empty_label)
        key = (self.queryset.model._meta.label_lower, label, get_language())
        version = current_version()
        kept = _ESCAPED_CHOICES.get(key)
        if kept is None or kept[0] != version:
            kept = _ESCAPED_CHOICES[key] = (version, FastSelect._escaped(self))
        return kept[1]

    def choice(self, obj):
        return (self.field.prepare_value(obj), self.field.label_from_instance(obj))


# (model, empty label, language) → (public version, escaped options): the last of each.
_ESCAPED_CHOICES = {}
