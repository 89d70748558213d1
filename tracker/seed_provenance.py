"""Where each fact of a seed case comes from: the `provenance` map of seeds/cases.json
(the rule for readers in seeds/README.md).

Each seed case names, for every fact it states, the paragraphs of the five seed documents
(seeds/documents.json) that say it. The map's keys are the fact keys below; each value is a
citation record in a strict grammar, so that tests can check every reference:

    record   := citation ("; " citation)*
    citation := DOC " " place (", " place)*
    place    := "¶" N ["-" N] [" (" note ")"]

DOC is a document's three-digit number, N a paragraph: the Nth line of the document's text
file, counting from 1 and counting blank lines (in documents 002-004 blank lines separate
the paragraphs, so their paragraphs have odd numbers). A note says what the paragraph says
where it matters: the exact words of a number, whose account it is, a disagreement. It may
contain parentheses in pairs but no "; " outside them.

The key `note` is the only free text: remarks on the case as a whole; any "DOC ¶N" in it is
checked like a citation.
"""

import json
import re
from pathlib import Path

from django.conf import settings

DOCUMENTS_FILE = Path(settings.BASE_DIR) / "seeds" / "documents.json"

# Every fact of a seed entry with the key of its provenance. A fact that is stated with a
# qualifier or a precision is cited together with it (people_count with people_qualifier,
# event_date with its precision); a mixed group's other forces and statuses with the main
# one; where the refusal happened, country and place, under `location`.
# Not facts of the documents: seed_id; `related` (links between our own cases); the
# translations (the same text in another language); name_variants (spellings for search).
FACT_KEYS = (
    "title",
    "summary",
    "event_date",
    "event_date_range",
    "people_count",
    "named_people",
    "service_status",
    "force",
    "unit",
    "home_region",
    "location",
    "refusal_kind",
    "outcomes",
    "legal_articles",
    "confidence_note",
    "conflicting_accounts",
    "events",
    "sources",
    "possible_duplicates",
)
# The other keys of a seed entry: cited under the fact they qualify, or no fact at all.
CITED_WITH = {
    "event_date_precision": "event_date",
    "event_date_not_before": "event_date_range",
    "event_date_not_after": "event_date_range",
    "people_qualifier": "people_count",
    "other_service_statuses": "service_status",
    "other_forces": "force",
    "location_country": "location",
    "confidence": "confidence_note",
}
NOT_FACTS = ("seed_id", "related", "provenance", "translations", "name_variants")
FREE_TEXT_KEYS = ("note",)
UNKNOWN = ("", None, [], "unknown", ["nothing_known"])

_PLACE = re.compile(r"¶(\d+)(?:-(\d+))?(?: \((.*)\))?\Z", re.S)
_CITATION_START = re.compile(r"(\d{3}) (.*)\Z", re.S)
_MENTION = re.compile(r"(\d{3}) ¶(\d+)(?:-(\d+))?")


class ProvenanceError(ValueError):
    pass


def read_documents(path=DOCUMENTS_FILE):
    """The seed documents by number: file name, outlet, date and paragraph count."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _split(text, separator):
    """`text` split at `separator`, except inside parentheses."""
    parts, depth, start, index = [], 0, 0, 0
    while index < len(text):
        char = text[index]
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise ProvenanceError(f"unbalanced parentheses in {text!r}")
        if depth == 0 and text.startswith(separator, index):
            parts.append(text[start:index])
            index += len(separator)
            start = index
            continue
        index += 1
    if depth:
        raise ProvenanceError(f"unbalanced parentheses in {text!r}")
    parts.append(text[start:])
    return parts


def parse(record):
    """The citations of a record: a list of (document, [paragraph, …], note or "")."""
    if not isinstance(record, str) or not record.strip():
        raise ProvenanceError("an empty record")
    citations = []
    for citation in _split(record, "; "):
        match = _CITATION_START.match(citation)
        if not match:
            raise ProvenanceError(f"{citation!r} does not start with a document number")
        document, rest = match.groups()
        for place in _split(rest, ", "):
            found = _PLACE.match(place)
            if not found:
                raise ProvenanceError(f"{place!r} in {citation!r} is not '¶N (note)'")
            first, last, note = found.groups()
            last = last or first
            if int(last) < int(first):
                raise ProvenanceError(f"{place!r}: a range runs backwards")
            citations.append((document, list(range(int(first), int(last) + 1)), note or ""))
    return citations


def mentions(text):
    """Every "DOC ¶N" or "DOC ¶N-M" in free text, as (document, [paragraph, …])."""
    return [
        (doc, list(range(int(first), int(last or first) + 1)))
        for doc, first, last in _MENTION.findall(text)
    ]


def required_keys(seed):
    """The provenance keys a seed case must have: one for each fact it states."""
    stated = {
        "title": seed["title"],
        "summary": seed["summary"],
        "event_date": seed["event_date"],
        "event_date_range": seed["event_date_not_before"] or seed["event_date_not_after"],
        "people_count": seed["people_count"] is not None or seed["people_qualifier"] not in UNKNOWN,
        "named_people": seed["named_people"],
        "service_status": seed["service_status"] not in UNKNOWN or seed["other_service_statuses"],
        "force": seed["force"] not in UNKNOWN or seed["other_forces"],
        "unit": seed["unit"],
        "home_region": seed["home_region"],
        "location": seed["location"] or seed["location_country"] not in UNKNOWN,
        "refusal_kind": seed["refusal_kind"],
        "outcomes": seed["outcomes"] not in UNKNOWN,
        "legal_articles": seed["legal_articles"],
        "confidence_note": seed["confidence_note"],
        "conflicting_accounts": seed["conflicting_accounts"],
        "events": seed["events"],
        "sources": seed["sources"],
        "possible_duplicates": seed["possible_duplicates"],
    }
    return [key for key in FACT_KEYS if stated[key] not in UNKNOWN and stated[key] is not False]


def problems(seed, documents, texts=None):
    """What is wrong with a seed case's provenance, as sentences (none: nothing).

    `documents` are the paragraph counts of seeds/documents.json; `texts`, when the
    documents themselves are at hand, their lines by number, to check that every cited
    paragraph has text."""
    found = []
    provenance = seed.get("provenance", {})
    for key in required_keys(seed):
        if key not in provenance:
            found.append(f"{key} is stated but has no provenance")
    for key, record in provenance.items():
        if key in FREE_TEXT_KEYS:
            cited = [(doc, paragraphs, "") for doc, paragraphs in mentions(record)]
        elif key in FACT_KEYS:
            try:
                cited = parse(record)
            except ProvenanceError as error:
                found.append(f"{key}: {error}")
                continue
        else:
            found.append(f"{key} is not a fact of a seed case")
            continue
        for doc, paragraphs, _note in cited:
            if doc not in documents:
                found.append(f"{key}: there is no document {doc}")
                continue
            for paragraph in paragraphs:
                if not 1 <= paragraph <= documents[doc]["paragraphs"]:
                    found.append(f"{key}: document {doc} has no paragraph {paragraph}")
                elif texts and len(paragraphs) == 1 and not texts[doc][paragraph - 1].strip():
                    found.append(f"{key}: paragraph {paragraph} of document {doc} is empty")
    return found
