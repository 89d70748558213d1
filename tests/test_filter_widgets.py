"""The listing's filter form draws its selects and inputs in Python (tracker/widgets.py):
the same options and attributes as Django's own widgets, in every language."""

import re

import pytest
from django import forms
from django.utils import translation

from tracker.models import Case
from tracker.widgets import FAST_INPUTS, FastSelect, IsoDateInput, format_count


def options(html):
    """The <option>s of a <select> as drawn (whitespace between tags aside)."""
    return re.findall(r"<option[^>]*>[^<]*</option>", html)


def select_attributes(html):
    return sorted(re.search(r"<select([^>]*)>", html)[1].split())


CHOICES = [("", "any"), ("a&b", 'Quotes "and" <tags>'), ("c", "Plain")]


@pytest.mark.parametrize("value", [None, "", "a&b", "c", "unknown"])
def test_a_fast_select_draws_what_django_draws(value):
    attrs = {"class": "form-select", "id": "id_x"}
    django_select = forms.Select(attrs=attrs, choices=CHOICES)
    fast = FastSelect(attrs=attrs, choices=CHOICES)
    ours, djangos = fast.render("x", value), django_select.render("x", value)
    assert options(ours) == options(djangos)
    assert select_attributes(ours) == select_attributes(djangos)


@pytest.mark.parametrize("language", ["en", "ru", "uk"])
def test_fixed_choices_are_translated_into_each_language(language):
    with translation.override(language):
        django_select = forms.Select(choices=Case.RefusalKind.choices)
        fast = FastSelect(choices=Case.RefusalKind.choices)
        fast.fixed_options = FastSelect._escaped(Case.RefusalKind.choices)
        ours = fast.render("kind", "self_injury")
        assert options(ours) == options(django_select.render("kind", "self_injury"))
        assert len(options(ours)) == len(Case.RefusalKind.choices)


def test_counts_are_written_beside_each_value_but_the_empty_one():
    fast = FastSelect(choices=CHOICES)
    fast.counts = {"c": 1234}
    html = fast.render("x", "c")
    assert '<option value="">any</option>' in html
    assert '<option value="a&amp;b">Quotes &quot;and&quot; &lt;tags&gt; — 0</option>' in html
    assert '<option value="c" selected>Plain — 1,234</option>' in html


def test_counts_are_written_as_each_language_writes_numbers():
    with translation.override("ru"):
        assert format_count(1234567) == "1\xa0234\xa0567"
    with translation.override("en"):
        assert format_count(1234567) == "1,234,567"


@pytest.mark.parametrize("widget_class", list(FAST_INPUTS))
@pytest.mark.parametrize("value", [None, "", 'x"<y>', 12])
def test_a_fast_input_draws_what_django_draws(widget_class, value):
    attrs = {"class": "form-control", "maxlength": 10, "required": True, "hidden": False}
    if widget_class is IsoDateInput:
        attrs.pop("maxlength")
    django_input = widget_class(attrs=dict(attrs))
    fast = FAST_INPUTS[widget_class](attrs=dict(attrs))
    assert fast.render("field", value, {"id": "id_field"}) == django_input.render(
        "field", value, {"id": "id_field"}
    )


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru", "uk"])
def test_the_region_select_is_what_django_draws_and_follows_a_renamed_region(region, language):
    from django.http import QueryDict

    from tracker.filters import CaseFilter

    def selects():
        case_filter = CaseFilter(QueryDict("region=RU-KB"), queryset=Case.objects.public())
        field = case_filter.form["region"]
        django_select = forms.Select(choices=list(field.field.choices))
        return field.field.widget.render("region", "RU-KB"), django_select.render("region", "RU-KB")

    with translation.override(language):
        ours, djangos = selects()
        assert options(ours) == options(djangos)
        assert len(options(ours)) > 80
        name = region.name
        assert f"{name} &amp; Co" not in ours
        # A region renamed (a change to the public data) is drawn with its new name.
        setattr(region, f"name_{language}", f"{name} & Co")
        region.save()
        ours, djangos = selects()
        assert options(ours) == options(djangos)
        assert f'<option value="RU-KB" selected>{name} &amp; Co</option>' in ours


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru", "uk"])
@pytest.mark.parametrize(
    "query", ["", "people=abc&date_from=xx&q=%3Cb%3E&court=bad", "force=army&sort=-people"]
)
def test_the_filter_form_draws_each_field_with_the_attributes_django_gives_it(language, query):
    from django.http import QueryDict

    from tracker.filters import CaseFilter

    with translation.override(language):
        form = CaseFilter(QueryDict(query), queryset=Case.objects.public()).form
        html = form.fields_html()
        for bound in form:
            # What BoundField.as_widget draws, attributes included (aria-invalid,
            # aria-describedby naming the help text and the error).
            assert str(bound) in html
            assert f'<label for="{bound.auto_id}" class="form-label">' in html
        if "people=abc" in query:
            assert 'aria-invalid="true"' in str(form["people"])


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru", "uk"])
def test_every_description_a_filter_points_to_is_on_the_page(client, language):
    response = client.get(
        "/cases/", {"people": "abc", "date_from": "xx"}, HTTP_ACCEPT_LANGUAGE=language
    )
    page = response.content.decode()
    described = re.findall(r'aria-describedby="([^"]+)"', page)
    assert "id_court_helptext" in " ".join(described)
    for ids in described:
        for element_id in ids.split():
            assert f'id="{element_id}"' in page, element_id
    with translation.override(language):
        from django.utils.translation import gettext

        help_text = gettext("Where the latest step of the case's legal proceedings stands.")
    assert help_text.replace("'", "&#x27;") in page


@pytest.mark.django_db
def test_forms_share_their_fields_but_not_their_counts_or_errors():
    from django.http import QueryDict

    from tracker.facets import label_options
    from tracker.filters import CaseFilter

    def form(query, counts):
        filter_form = CaseFilter(QueryDict(query), queryset=Case.objects.public()).form
        label_options(filter_form, {"kind": counts})
        return filter_form

    first = form("people=abc", {"self_injury": 7})
    second = form("people=2", {"self_injury": 1234})
    first_html, second_html = first.fields_html(), second.fields_html()
    assert "self-injury — 7<" in first_html and "self-injury — 1,234<" in second_html
    assert 'aria-invalid="true"' in first_html
    assert 'aria-invalid="true"' not in second_html
    assert 'value="2"' in second_html and 'value="2"' not in first_html
    # Drawn again after the other: still its own.
    assert first.fields_html() == first_html


@pytest.mark.django_db
def test_each_language_gets_its_own_labels_after_the_filters_made_their_fields(client):
    # Making the API schema asks every filter for its form field (Filter.field); the
    # form class of a language made after that must not share those fields with another.
    from django.utils.translation import gettext

    from tracker.filters import CaseFilter

    CaseFilter._form_classes.clear()
    for filter_ in CaseFilter.base_filters.values():
        filter_.field  # noqa: B018 (what drf-spectacular does)
    try:
        for language in ("en", "ru", "uk"):
            with translation.override(language):
                label, option = gettext("Kind of refusal"), gettext("self-injury")
            page = client.get("/cases/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
            assert f'<label for="id_kind" class="form-label">{label}</label>' in page
            assert f'<option value="self_injury">{option}' in page
    finally:
        for filter_ in CaseFilter.base_filters.values():
            filter_.__dict__.pop("_field", None)
        CaseFilter._form_classes.clear()
