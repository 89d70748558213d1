"""The confidence rule (tracker/grading.py): the grade a case's sources support, computed,
never typed; a moderator may only lower it, with a reason. The worked examples are the ones
the methodology page shows."""

import pytest

from tracker.grading import WORKED_EXAMPLES, Account, grade, settle
from tracker.models import AccountFrom, Case, Source
from tracker.seeds import load_seeds, read_seeds, seed_grade

CONFIRMED, REPORTED, UNCONFIRMED = "confirmed", "reported", "unconfirmed"


def graded(*accounts):
    return grade(accounts).confidence


def test_no_source_is_unconfirmed():
    assert graded() == UNCONFIRMED


def test_one_first_hand_source_is_reported_not_confirmed():
    assert graded(Account("Mediazona", AccountFrom.SERVICEMAN)) == REPORTED


def test_two_articles_of_the_same_outlet_are_one_source():
    assert (
        graded(
            Account("Mediazona", AccountFrom.SERVICEMAN),
            Account(" mediazona ", AccountFrom.LAWYER),
        )
        == REPORTED
    )


def test_two_independent_outlets_confirm():
    result = grade(
        [
            Account("Meduza", AccountFrom.SERVICEMAN),
            Account("The Wall Street Journal", "serviceman"),
        ]
    )
    assert result.confidence == CONFIRMED
    assert "Meduza" in result.reason and "The Wall Street Journal" in result.reason


def test_a_court_or_military_document_confirms_on_its_own():
    result = grade([Account("The Wall Street Journal", AccountFrom.DOCUMENT)])
    assert result.confidence == CONFIRMED
    assert "document" in result.reason


def test_a_source_that_relays_another_is_not_independent_of_it():
    assert (
        graded(
            Account("Novy Fokus", AccountFrom.UNKNOWN),
            Account("Meduza", AccountFrom.UNKNOWN, relays=True),
            Account("Mediazona", AccountFrom.UNKNOWN, relays=True),
        )
        == REPORTED
    )


def test_a_relayed_document_does_not_confirm():
    assert graded(Account("CIT", AccountFrom.DOCUMENT, relays=True)) == REPORTED


def test_hearsay_alone_is_reported_and_never_confirms():
    assert (
        graded(
            Account("Pskovskaya Guberniya", AccountFrom.UNNAMED),
            Account("Grati", AccountFrom.UNNAMED),
        )
        == REPORTED
    )


def test_a_claim_of_a_party_to_the_war_alone_stays_unconfirmed_however_often_relayed():
    assert (
        graded(
            Account("HUR", AccountFrom.PARTY_OFFICIAL),
            Account("KHPG", AccountFrom.PARTY_OFFICIAL, relays=True),
        )
        == UNCONFIRMED
    )


def test_a_party_claim_with_an_independent_outlet_beside_it_is_reported():
    assert (
        graded(Account("HUR", AccountFrom.PARTY_OFFICIAL), Account("Mediazona", "serviceman"))
        == REPORTED
    )


def test_a_source_that_says_it_could_not_confirm_supports_nothing():
    assert graded(Account("CIT", AccountFrom.DOCUMENT, says_unconfirmed=True)) == UNCONFIRMED
    assert (
        graded(
            Account("CIT", AccountFrom.DOCUMENT, says_unconfirmed=True),
            Account("Meduza", AccountFrom.LAWYER),
        )
        == REPORTED
    )


def test_a_reports_source_relays_when_the_moderator_said_it_is_not_independent():
    class ReportSource:
        outlet, url = "Outlet", ""
        account_from = AccountFrom.SERVICEMAN
        says_unconfirmed = False

        def __init__(self, independent):
            self.independent = independent

    assert Account.of(ReportSource(False)).relays is True
    assert Account.of(ReportSource(True)).relays is False
    assert Account.of(ReportSource(None)).relays is False


@pytest.mark.parametrize(
    ("chosen", "computed", "note", "kept"),
    [
        (CONFIRMED, REPORTED, "", REPORTED),  # never above the sources
        (CONFIRMED, REPORTED, "a reason", REPORTED),
        (UNCONFIRMED, REPORTED, "", REPORTED),  # lowering needs a reason
        (UNCONFIRMED, REPORTED, "Only one side says so.", UNCONFIRMED),
        (None, CONFIRMED, "", CONFIRMED),
    ],
)
def test_a_grade_is_only_ever_lowered_and_only_with_a_reason(chosen, computed, note, kept):
    assert settle(chosen, computed, note) == kept


def test_the_worked_examples_of_the_methodology_page_grade_as_the_page_says():
    grades = [grade(accounts).confidence for _description, accounts in WORKED_EXAMPLES]
    assert grades == [
        REPORTED,  # one outlet, the serviceman's own words
        CONFIRMED,  # two outlets, two relatives
        CONFIRMED,  # a court ruling
        REPORTED,  # a second outlet only repeats the first
        REPORTED,  # unnamed sources, relayed
        UNCONFIRMED,  # a party to the war
        UNCONFIRMED,  # the source warns it may be fake
    ]


# The seed cases: every grade follows from the recorded sources.


def test_no_seed_case_is_confirmed_on_a_single_first_hand_source_without_a_document():
    for seed in read_seeds():
        result = seed_grade(seed)
        if result.confidence == CONFIRMED:
            sources = [Source(**source) for source in seed["sources"]]
            documents = [s for s in sources if s.account_from == AccountFrom.DOCUMENT]
            outlets = {s.outlet for s in sources if not s.relays}
            assert documents or len(outlets) >= 2, seed["seed_id"]


def test_a_seed_may_only_lower_its_grade_and_says_why():
    rank = {UNCONFIRMED: 0, REPORTED: 1, CONFIRMED: 2}
    for seed in read_seeds():
        if "confidence" in seed:
            assert rank[seed["confidence"]] < rank[seed_grade(seed).confidence], seed["seed_id"]
            assert seed["confidence_note"].strip(), seed["seed_id"]


@pytest.mark.django_db
def test_every_loaded_seed_case_has_the_grade_its_stored_sources_support():
    seeds = {seed["seed_id"]: seed for seed in read_seeds()}
    load_seeds(list(seeds.values()))

    for case in Case.objects.prefetch_related("sources"):
        seed = seeds[case.seed_id]
        expected = settle(
            seed.get("confidence"), grade(case.sources.all()).confidence, seed["confidence_note"]
        )
        assert case.confidence == expected, case.seed_id


@pytest.mark.django_db
def test_the_seed_grades_the_documents_support():
    load_seeds(read_seeds())
    grades = dict(Case.objects.values_list("seed_id", "confidence"))

    # A court ruling and a military decree seen by the Journal.
    assert grades["kbr-rosgvardia-3723-dismissed"] == CONFIRMED
    assert grades["army-base-decree-march-4-dismissals"] == CONFIRMED
    # Every later account relays the same local paper.
    assert grades["khakassia-omon-11-dismissed"] == REPORTED
    # One outlet, one interview.
    assert grades["grigoriev-officer-refused-northwest"] == REPORTED
    # Only Ukraine's military intelligence; a photo its reporter warns may be fake.
    assert grades["mariupol-special-forces-refuse-assault"] == UNCONFIRMED
    assert grades["136th-motor-rifle-brigade-desertion-claim"] == UNCONFIRMED
    # Lowered with the reason the activist list gives.
    kaliningrad = Case.objects.get(seed_id="kaliningrad-58-refused-belgorod")
    assert kaliningrad.confidence == UNCONFIRMED
    assert "no other source" in kaliningrad.confidence_note
