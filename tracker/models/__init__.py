"""The public catalogue: cases and what hangs off them, and the regions.

`facts.py` defines a case's facts once (shared with submissions.Submission); `cases.py` the
case and its visibility rules (`Case.objects.public()`, `citable()`); `related.py` its
outcomes, sources, timeline and corrections; `regions.py` the home regions.
"""

from .cases import PUBLISHED, Case, CaseQuerySet, CaseStatus, short_slug
from .facts import (
    CASE_FACTS,
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
from .related import SOURCE_ORDER, CaseCorrection, CaseEvent, CaseOutcome, Source

__all__ = [
    "CASE_FACTS",
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
    "Confidence",
    "Country",
    "DatePrecision",
    "Force",
    "PeopleQualifier",
    "RefusalKind",
    "Region",
    "ReportedFacts",
    "ServiceStatus",
    "Source",
    "region_name_field",
    "short_slug",
]
