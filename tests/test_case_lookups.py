"""The outcome codes and outlet keys kept on each case (tracker/lookups.py): what a reader
types into the outlet filter finds the case, and the columns follow every change of the
outcome and source rows, whichever way they are made."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from moderation import services
from tests.conftest import make_case
from tests.helpers import listed_titles as titles_on
from tracker.lookups import outlet_key, refresh_all_lookups
from tracker.models import Case, CaseOutcome, Source

pytestmark = pytest.mark.django_db


def listed_titles(client, **params):
    response = client.get(reverse("tracker:case_list"), params)
    assert response.status_code == 200
    return set(titles_on(response))


@pytest.fixture
def outlets_cases():
    make_case(title="Nalchik OMON", sources=[{"outlet": "Mediazona"}])
    make_case(title="Pskov paratroopers", sources=[{"outlet": "Kavkaz.Realii"}])
    make_case(title="Kursk conscripts", sources=[{"outlet": "Novaya Gazeta Europe"}])
    make_case(title="Meduza case", sources=[{"outlet": "Meduza"}])


@pytest.mark.parametrize(
    "typed",
    ["Mediazona", "mediazona", "  MEDIAZONA ", "Медиазона", "mediazona.org", "www.mediazona"],
)
def test_the_outlet_filter_finds_the_outlet_however_it_is_typed(client, outlets_cases, typed):
    assert listed_titles(client, outlet=typed) == {"Nalchik OMON"}


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Kavkaz Realii", {"Pskov paratroopers"}),
        ("kavkaz.realii", {"Pskov paratroopers"}),
        ("Кавказ.Реалии", {"Pskov paratroopers"}),
        ("Novaya", {"Kursk conscripts"}),
        ("Gazeta Europe", {"Kursk conscripts"}),
        ("Медуза", {"Meduza case"}),
        ("Новая газета", {"Kursk conscripts"}),
        # A fragment of a word finds nothing (the key is a whole word or more).
        ("zona", set()),
        ("The Guardian", set()),
    ],
)
def test_the_outlet_filter_matches_whole_words_of_the_name(client, outlets_cases, typed, found):
    assert listed_titles(client, outlet=typed) == found


def test_the_outlet_filter_works_in_the_russian_interface(client, outlets_cases):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    response = client.get(reverse("tracker:case_list"), {"outlet": "Медиазона"})
    assert titles_on(response) == ["Nalchik OMON"]


def test_an_outlet_of_punctuation_only_does_not_filter(client, outlets_cases):
    assert outlet_key("…") == ""
    assert len(listed_titles(client, outlet="…")) == 4


def test_adding_and_removing_an_outcome_row_updates_the_filter(client):
    case = make_case(title="Kazan case", outcomes=[CaseOutcome.Outcome.DISMISSED])
    assert listed_titles(client, outcome="criminal_case") == set()

    CaseOutcome.objects.create(case_id=case.pk, outcome=CaseOutcome.Outcome.CRIMINAL_CASE)
    assert listed_titles(client, outcome="criminal_case") == {"Kazan case"}
    CaseOutcome.objects.filter(case=case, outcome="dismissed").get().delete()

    assert listed_titles(client, outcome="dismissed") == set()
    case.refresh_from_db()
    assert case.outcome_codes == ["criminal_case"]


def test_adding_editing_and_removing_a_source_updates_the_outlet_keys(client):
    case = make_case(title="Kazan case", sources=[{"outlet": "Meduza"}])
    source = Source.objects.create(case=case, outlet="Verstka")
    assert listed_titles(client, outlet="verstka") == {"Kazan case"}

    source.outlet = "Astra"
    source.save()
    assert listed_titles(client, outlet="verstka") == set()
    assert listed_titles(client, outlet="astra") == {"Kazan case"}

    source.delete()
    assert listed_titles(client, outlet="astra") == set()
    case.refresh_from_db()
    assert case.outlet_keys == ["meduza"]


def test_saving_a_case_loaded_before_a_change_keeps_the_new_outcomes(client):
    case = make_case(title="Kazan case", outcomes=[CaseOutcome.Outcome.DISMISSED])
    stale = Case.objects.get(pk=case.pk)
    CaseOutcome.objects.create(case_id=case.pk, outcome=CaseOutcome.Outcome.SENT_BACK)

    stale.unit = "military unit 3723"
    stale.save()

    assert listed_titles(client, outcome="sent_back") == {"Kazan case"}
    case.refresh_from_db()
    assert case.outcome_codes == ["dismissed", "sent_back"]
    assert case.unit == "military unit 3723"


def test_the_edit_service_keeps_the_outcome_codes_in_step(client, moderator):
    case = make_case(title="Kazan case", outcomes=[CaseOutcome.Outcome.DISMISSED])

    services.edit_case(
        case, moderator=moderator, changes={"outcomes": ["criminal_case", "sent_back"]}
    )

    assert listed_titles(client, outcome="dismissed") == set()
    assert listed_titles(client, outcome="sent_back") == {"Kazan case"}
    case.refresh_from_db()
    assert case.outcome_codes == ["criminal_case", "sent_back"]


def assert_columns_match_rows():
    cases = list(Case.objects.prefetch_related("outcome_rows", "sources"))
    assert cases
    for case in cases:
        assert case.outcome_codes == sorted({row.outcome for row in case.outcome_rows.all()})
        for source in case.sources.all():
            assert outlet_key(source.outlet) in case.outlet_keys


def test_the_seeds_loader_fills_the_columns(client):
    call_command("load_seeds", verbosity=0)

    assert_columns_match_rows()
    assert listed_titles(client, outlet="Медиазона")


def test_generated_cases_have_the_columns_filled():
    call_command("generate_cases", 20, verbosity=0)

    assert_columns_match_rows()


def test_refreshing_every_case_rebuilds_lost_columns():
    make_case(title="Kazan case", sources=[{"outlet": "Mediazona"}])
    Case.objects.update(outcome_codes=[], outlet_keys=[])

    refresh_all_lookups()

    assert_columns_match_rows()
    assert Case.objects.get().outlet_keys == ["mediazona"]
