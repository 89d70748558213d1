import datetime

import pytest
from django.db import connection
from django.utils import timezone

from tracker.models import Case, CaseOutcome, Region, Source


def make_case(**overrides):
    """A published case with one source; keyword arguments override any field.

    `outcomes=[...]` and `sources=[{...}]` create the related rows.
    """
    outcomes = overrides.pop("outcomes", [CaseOutcome.Outcome.DISMISSED])
    sources = overrides.pop("sources", [{"outlet": "Mediazona"}])
    values = {
        "title": "Guardsmen refused to cross the border",
        "summary": "A group of guardsmen refused to take part in the operation.",
        "status": Case.Status.PUBLISHED,
        "event_date": datetime.date(2022, 2, 26),
        "event_date_precision": "day",
        "people_count": 12,
        "people_qualifier": Case.PeopleQualifier.EXACT,
        "service_status": Case.ServiceStatus.CONTRACT,
        "force": Case.Force.ROSGVARDIA_OMON,
        "refusal_kind": Case.RefusalKind.REFUSED_DEPLOY,
        "confidence": Case.Confidence.REPORTED,
        "location_country": Case.Country.UKRAINE,
    }
    values.update(overrides)
    if values["status"] == Case.Status.PUBLISHED:
        values.setdefault("published_at", timezone.now())
    case = Case.objects.create(**values)
    for outcome in outcomes:
        CaseOutcome.objects.create(case=case, outcome=outcome)
    for source in sources:
        Source.objects.create(case=case, **source)
    return case


@pytest.fixture
def region():
    return Region.objects.get(code="RU-KB")


@pytest.fixture
def other_region():
    return Region.objects.get(code="RU-PSK")


@pytest.fixture
def published_case(region):
    return make_case(title="Published guardsmen case", home_region=region)


@pytest.fixture
def draft_case(region):
    return make_case(title="Draft case canary", status=Case.Status.DRAFT, home_region=region)


@pytest.fixture
def retracted_case(region):
    return make_case(
        title="Retracted case canary",
        status=Case.Status.RETRACTED,
        retraction_reason="The source withdrew its report.",
        home_region=region,
    )


def is_postgresql():
    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL); CI runs it")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


# --- Scale: caching, pagination, synthetic data ---------------------------------------


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache, so no test sees a page another cached."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
