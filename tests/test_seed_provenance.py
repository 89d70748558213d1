"""Every fact of every seed case names the document and paragraph it comes from
(seeds/README.md; the grammar and the list of facts in tracker/seed_provenance.py).

The five documents themselves are not part of the repository: their paragraph counts and
checksums are kept in seeds/documents.json, and the references are checked against those
always, and against the documents' text when a checkout has them beside it (../shared/seeds,
or SEED_DOCUMENTS_DIR)."""

import copy
import hashlib
import os
from pathlib import Path

import pytest
from django.conf import settings

from tracker.seed_provenance import (
    CITED_WITH,
    FACT_KEYS,
    NOT_FACTS,
    ProvenanceError,
    parse,
    problems,
    read_documents,
    required_keys,
)
from tracker.seeds import read_seeds

DOCUMENTS_DIR = Path(
    os.environ.get("SEED_DOCUMENTS_DIR", Path(settings.BASE_DIR).parent / "shared" / "seeds")
)


def seed(seed_id):
    return copy.deepcopy(next(s for s in read_seeds() if s["seed_id"] == seed_id))


def test_every_fact_of_every_seed_case_names_its_documents_and_paragraphs():
    documents = read_documents()
    found = {s["seed_id"]: problems(s, documents) for s in read_seeds()}
    assert {seed_id: p for seed_id, p in found.items() if p} == {}
    assert len(found) == 33


def test_every_key_of_a_seed_case_is_a_cited_fact_or_said_to_be_none():
    """A fact added to the seed cases must be added to the provenance rule too."""
    keys = {key for s in read_seeds() for key in s}
    assert keys - set(FACT_KEYS) - set(CITED_WITH) - set(NOT_FACTS) == set()
    assert set(CITED_WITH.values()) <= set(FACT_KEYS)


def test_a_stated_fact_without_provenance_is_reported():
    case = seed("kbr-rosgvardia-3723-dismissed")
    del case["provenance"]["unit"]
    del case["provenance"]["title"]

    assert problems(case, read_documents()) == [
        "title is stated but has no provenance",
        "unit is stated but has no provenance",
    ]


def test_an_unknown_fact_needs_no_provenance_but_a_stated_one_does():
    case = seed("grebenyuk-client-driver-refuses-return")
    assert case["service_status"] == "unknown" and "service_status" not in required_keys(case)
    assert case["outcomes"] == ["nothing_known"] and "outcomes" not in required_keys(case)

    case["service_status"] = "contract"
    case["outcomes"] = ["dismissed"]

    assert "service_status is stated but has no provenance" in problems(case, read_documents())
    assert "outcomes is stated but has no provenance" in problems(case, read_documents())


def test_a_missing_document_or_a_paragraph_beyond_its_end_is_reported():
    case = seed("pskov-60-contract-soldiers-refused")
    last = read_documents()["004"]["paragraphs"]
    # The numbering these records once had for this document (70 too high).
    case["provenance"]["people_count"] = "004 ¶83 ('about 60'), ¶81 ('at least 60')"
    case["provenance"]["sources"] = "005 ¶1"

    assert problems(case, read_documents()) == [
        "people_count: document 004 has no paragraph 83",
        "people_count: document 004 has no paragraph 81",
        "sources: there is no document 005",
    ]
    assert last < 81


def test_a_key_that_is_no_fact_is_reported():
    case = seed("kaliningrad-58-refused-belgorod")
    case["provenance"]["court_claimants"] = "001 ¶10"

    assert problems(case, read_documents()) == ["court_claimants is not a fact of a seed case"]


def test_the_grammar_reads_documents_ranges_and_notes():
    record = "000 ¶17 (around 500), ¶36; 003 ¶31-33 (ruling (of 25 May), 115 claimants)"

    assert parse(record) == [
        ("000", [17], "around 500"),
        ("000", [36], ""),
        ("003", [31, 32, 33], "ruling (of 25 May), 115 claimants"),
    ]


@pytest.mark.parametrize(
    "record",
    [
        "000 6",  # no ¶
        "Mediazona ¶6",  # an outlet is no document number
        "000 ¶6 'several hundred'",  # a note outside parentheses
        "000 ¶6 (unclosed",
        "000 ¶14-6",  # backwards
        "000 ¶6; ¶14",  # a citation without its document
        "002",  # a document without a paragraph
        "",
    ],
)
def test_a_record_outside_the_grammar_is_refused(record):
    with pytest.raises(ProvenanceError):
        parse(record)
    case = seed("kaliningrad-58-refused-belgorod")
    case["provenance"]["people_count"] = record
    assert [p for p in problems(case, read_documents()) if p.startswith("people_count")]


def test_the_free_note_is_checked_for_the_paragraphs_it_names():
    case = seed("kbr-rosgvardia-3723-dismissed")
    case["provenance"]["note"] = "The list's entry (001 ¶99) names no unit."

    assert problems(case, read_documents()) == ["note: document 001 has no paragraph 99"]


@pytest.mark.skipif(
    not DOCUMENTS_DIR.is_dir(), reason=f"the seed documents are not at {DOCUMENTS_DIR}"
)
def test_the_references_hold_against_the_documents_themselves():
    documents = read_documents()
    texts = {}
    for number, document in documents.items():
        data = (DOCUMENTS_DIR / document["file"]).read_bytes()
        # The same text, so the same numbering of its paragraphs.
        assert hashlib.sha256(data).hexdigest() == document["sha256"], number
        texts[number] = data.decode("utf-8").splitlines()
        assert len(texts[number]) == document["paragraphs"], number

    found = {s["seed_id"]: problems(s, documents, texts) for s in read_seeds()}
    assert {seed_id: p for seed_id, p in found.items() if p} == {}

    # A cited paragraph says what its note quotes: spot checks of numbers and their words.
    assert "around 500" in texts["000"][17 - 1]
    assert "about 60" in texts["004"][13 - 1] and "at least 60" in texts["004"][11 - 1]
    assert "several hundred" in texts["003"][29 - 1]
    assert "at least four" in texts["002"][110 - 1].lower()


def test_an_empty_paragraph_is_no_reference_when_the_documents_are_at_hand():
    texts = {"002": ["A paragraph.", ""] + ["x"] * 114}
    case = seed("sakhibgareyev-unit-four-seek-discharge")
    case["provenance"]["title"] = "002 ¶2"

    assert problems(case, read_documents(), texts) == [
        "title: paragraph 2 of document 002 is empty"
    ]
