"""Form widgets for the public listing's filter form, which every listing request renders."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe


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
