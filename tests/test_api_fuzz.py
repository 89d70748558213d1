"""Property-based fuzzing of the API from its own OpenAPI schema (schemathesis).

Schemathesis reads /api/schema/, generates requests that follow it (and requests that
break it), sends them to the app in-process, and checks every answer: never a server
error, and every documented answer matches the documented shape. It runs in the ordinary
test suite, so CI fuzzes the API on SQLite and on PostgreSQL.
"""

import datetime

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.conftest import make_case
from tracker.api.throttling import AnonymousRateThrottle
from tracker.models import Case, CaseEvent, CaseOutcome

pytestmark = pytest.mark.django_db

EXAMPLES = 150
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def app():
    """The WSGI app, called in-process. Like Django's test client, keep the request signals
    from closing the database connection, which holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)


@pytest.fixture
def cases(region, other_region):
    first = make_case(
        title="Nalchik guardsmen dismissed",
        home_region=region,
        force=Case.Force.ROSGVARDIA_OTHER,
        outcomes=[CaseOutcome.Outcome.DISMISSED, CaseOutcome.Outcome.COURT_REJECTED],
        sources=[{"outlet": "Mediazona", "published_on": datetime.date(2022, 3, 1)}],
    )
    second = make_case(
        title="Unknown date and region",
        home_region=None,
        event_date=None,
        event_date_precision="unknown",
        people_count=None,
        people_qualifier="unknown",
        outcomes=[],
        sources=[],
    )
    first.related_cases.add(second)
    CaseEvent.objects.create(case=first, date="2022-06-01", kind="ruling", description="Ruled.")
    return [first, second]


def test_the_api_never_answers_with_a_server_error(api_schema, cases, monkeypatch):
    # The fuzzer sends far more requests than an anonymous client may.
    monkeypatch.setitem(AnonymousRateThrottle.THROTTLE_RATES, "anon", None)
    detail = api_schema["/api/cases/{id}/"]["GET"]
    requests = st.one_of(
        api_schema.as_strategy(GenerationMode.POSITIVE),
        api_schema.as_strategy(GenerationMode.NEGATIVE),
        # Existing cases too, not only the ids the generator invents.
        detail.as_strategy(path_parameters={"id": cases[0].pk}),
        detail.as_strategy(path_parameters={"id": cases[1].pk}),
    )

    @given(case=requests)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answers_every_request(case):
        # In-process there is no HTTP client to undo compression, so ask for none.
        case.call_and_validate(checks=CHECKS, headers={"Accept-Encoding": "identity"})

    answers_every_request()
