"""A case's facts are defined once (tracker/models/facts.py); everything that shows or takes
them derives its fields from there. Adding a fact to the model and forgetting one of these
places fails here."""

import pytest
from django.urls import reverse

from moderation.case_admin import CaseAdminForm
from moderation.forms import CaseEditForm, PublishForm
from submissions.models import Submission
from tracker import exports
from tracker.api.serializers import CaseDetailSerializer, CaseSerializer
from tracker.models import (
    CASE_FACTS,
    CONTENT_LANGUAGES,
    REPORTED_FACTS,
    TRANSLATED_FACTS,
    Case,
    CaseFacts,
    ReportedFacts,
)
from tracker.seeds import DERIVED_FACTS, SEED_FACTS


def model_fields(model):
    return {field.name for field in model._meta.fields}


def test_the_fact_tuples_name_every_field_of_the_abstract_models():
    # A translated fact is its per-language columns (modeltranslation's), never the
    # original-language column that the package needs beside them.
    versions = {f"{name}_{language}" for name in TRANSLATED_FACTS for language in CONTENT_LANGUAGES}
    assert set(CASE_FACTS) == model_fields(CaseFacts) - set(TRANSLATED_FACTS) | versions
    assert set(REPORTED_FACTS) == model_fields(ReportedFacts)
    assert set(REPORTED_FACTS) < set(CASE_FACTS)


@pytest.mark.parametrize("fact", CASE_FACTS)
def test_a_case_has_every_fact(fact):
    assert Case._meta.get_field(fact)


@pytest.mark.parametrize("fact", REPORTED_FACTS)
def test_a_report_can_state_every_reported_fact_and_may_leave_it_blank(fact):
    field = Submission._meta.get_field(fact)
    assert field.blank or field.has_default()


@pytest.mark.parametrize("fact", CASE_FACTS)
def test_the_export_has_a_column_for_every_fact(fact):
    assert fact in exports.COLUMN_NAMES
    assert fact in exports.CASE_VALUES


@pytest.mark.parametrize("fact", CASE_FACTS)
def test_the_api_gives_every_fact(fact):
    assert fact in CaseSerializer.Meta.fields
    assert fact in CaseDetailSerializer.Meta.fields


@pytest.mark.parametrize("fact", CASE_FACTS)
def test_the_moderators_forms_edit_every_fact(fact):
    assert fact in CaseEditForm.base_fields
    assert fact in PublishForm.base_fields
    assert fact in CaseAdminForm.base_fields


@pytest.mark.parametrize("fact", CASE_FACTS)
def test_the_seed_loader_reads_or_derives_every_fact(fact):
    assert fact in SEED_FACTS or fact in DERIVED_FACTS


@pytest.mark.django_db
def test_the_data_dictionary_explains_every_fact_with_its_model_help_text(client):
    content = client.get(reverse("tracker:data_dictionary")).content.decode()

    for fact in CASE_FACTS:
        assert f"<code>{fact}</code>" in content, fact
        assert str(Case._meta.get_field(fact).help_text) in content.replace("&#x27;", "'"), fact


@pytest.mark.parametrize(
    "fact", [f for f in CASE_FACTS if Case._meta.get_field(f).get_internal_type() == "DateField"]
)
def test_every_date_fact_is_written_in_iso_so_it_round_trips_in_every_language(fact):
    from tracker.widgets import IsoDateInput

    assert isinstance(CaseEditForm.base_fields[fact].widget, IsoDateInput)
