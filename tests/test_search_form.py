"""The listing's filter form, drawn on every listing request by fast widgets."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def select(response, name):
    return re.search(rf'<select[^>]* name="{name}"[^>]*>.*?</select>', response.content.decode())[0]


def test_the_chosen_filters_stay_selected(client, published_case):
    response = client.get(reverse("tracker:case_list"), {"region": "RU-KB", "kind": "left_unit"})
    assert re.search(
        r'<option value="RU-KB" selected>Kabardino-Balkar Republic — \d+</option>',
        select(response, "region"),
    )
    assert '<option value="left_unit" selected>' in select(response, "kind")
    assert select(response, "kind").count(" selected") == 1


def test_every_choice_is_offered_with_any_first(client):
    response = client.get(reverse("tracker:case_list"))
    options = re.findall(r'<option value="([^"]*)"', select(response, "region"))
    assert options[0] == ""
    assert len(options) == 91
    assert '<option value="army">Armed Forces: all — 0</option>' in select(response, "force")


def test_a_bad_choice_is_marked_invalid_and_explained(client, published_case):
    response = client.get(reverse("tracker:case_list"), {"kind": "nonsense"})
    kind = select(response, "kind")
    assert 'aria-invalid="true"' in kind
    assert " selected" not in kind
    assert 'id="id_kind_error"' in response.content.decode()


def test_case_rows_show_the_labels_of_their_choices(client, published_case):
    text = client.get(reverse("tracker:case_list")).content.decode()
    assert "Rosgvardiya: OMON" in text
    assert "refused to deploy" in text
    assert '<span class="tag tag-outcome">dismissed</span>' in text
