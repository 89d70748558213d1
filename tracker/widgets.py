"""Form widgets for the public listing's filter form, which every listing request renders."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class FastSelect(forms.Select):
    """A <select> whose options are joined in Python instead of rendering a template per
    option: the same HTML as forms.Select for single, ungrouped choices, in a fraction of
    the time (the home region list has about ninety options)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], " selected" if option["selected"] else "", option["label"])
                for _group, choices, _index in widget["optgroups"]
                for option in choices
            ),
        )
        return format_html(
            "<select{}>{}</select>", flatatt(widget["attrs"] | {"name": name}), options
        )


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
