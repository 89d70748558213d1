"""The public catalogue: cases and what hangs off them, and the regions.

`facts.py` defines a case's facts once (shared with submissions.Submission); `cases.py` the
case and its visibility rules (`Case.objects.public()`, `citable()`); `related.py` its
outcomes, sources, timeline and corrections; `regions.py` the home regions.
"""

# Exact counters and shared short-lived keys (rate limits, the client hash's daily key).
from tracker.counters import Counter, SharedSecret  # noqa: E402, I001

from .cases import (
    COUNTED,
    PUBLISHED,
    Case,
    CaseQuerySet,
    CaseStatus,
    content_language,
    needs_translation_q,
    short_slug,
)
from .facts import (
    CASE_FACTS,
    CONTENT_LANGUAGES,
    TRANSLATED_FACTS,
    ContentLanguage,
    translated,
    REPORTED_FACTS,
    CaseFacts,
    Confidence,
    Country,
    DatePrecision,
    Force,
    PeopleQualifier,
    RefusalKind,
    ReportedFacts,
    ServiceStatus,
)
from .regions import REGION_NAME_LANGUAGES, Region, region_name_field
from .related import (
    LEGAL_KINDS,
    SOURCE_ORDER,
    AccountFrom,
    CaseCorrection,
    CaseEvent,
    CaseOutcome,
    LegalBasis,
    LegalResult,
    Source,
    SourceProvenance,
    date_text,
)

__all__ = [
    "COUNTED",
    "AccountFrom",
    "LEGAL_KINDS",
    "LegalBasis",
    "LegalResult",
    "SourceProvenance",
    "date_text",
    "CASE_FACTS",
    "CONTENT_LANGUAGES",
    "TRANSLATED_FACTS",
    "ContentLanguage",
    "content_language",
    "needs_translation_q",
    "translated",
    "PUBLISHED",
    "REGION_NAME_LANGUAGES",
    "REPORTED_FACTS",
    "SOURCE_ORDER",
    "Case",
    "CaseCorrection",
    "CaseEvent",
    "CaseFacts",
    "CaseOutcome",
    "CaseQuerySet",
    "CaseStatus",
    "Counter",
    "Confidence",
    "Country",
    "DatePrecision",
    "Force",
    "PeopleQualifier",
    "RefusalKind",
    "Region",
    "ReportedFacts",
    "ServiceStatus",
    "SharedSecret",
    "Source",
    "region_name_field",
    "short_slug",
]
