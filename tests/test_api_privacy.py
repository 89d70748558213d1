"""Prove that the API can only ever show public catalogue data.

Every key name found anywhere in the OpenAPI schema and in real responses is checked against
every field name of the submission and moderation models and of the user model. A handful of
names are legitimately shared, because a report's structured answers become the published
case's facts (`force`, `event_date`, …); each of those is checked to be a field of a public
catalogue model, so the allowance cannot hide a private field.
"""

import datetime
import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.conftest import make_case
from tracker.models import Case, CaseCorrection, CaseEvent, CaseOutcome, Region, Source

pytestmark = pytest.mark.django_db

PRIVATE_APPS = ["submissions", "moderation"]
PUBLIC_MODELS = [Case, CaseOutcome, Source, CaseEvent, CaseCorrection, Region]
SHARED_WITH_PUBLIC_MODELS = {
    # A source's provenance: a moderator records it on a report's source, the case's
    # source publishes it.
    "account_from",
    "says_unconfirmed",
    "id",
    "event_date",
    "event_date_precision",
    "force",
    "home_region",
    "kind",
    "language",
    "location",
    "location_country",
    "note",
    "outcomes",
    "outlet",
    "people_count",
    "people_qualifier",
    "published_on",
    "refusal_kind",
    "service_status",
    "sources",
    "unit",
    "url",
}
# Catalogue fields that are internal bookkeeping, never public.
INTERNAL_CATALOGUE_FIELDS = {
    "status",
    "retraction_reason",
    "seed_id",
    "is_synthetic",
    "created_at",
    "updated_at",
    "verified_by",
    "verified_at",
}
PRIVATE_WORDS = ["moderat", "verif", "contact", "receipt", "submi", "user", "email", "ip_"]


def field_names(model):
    names = set()
    for field in model._meta.get_fields():
        names.add(field.name)
        if getattr(field, "attname", None):
            names.add(field.attname)
    return names


def private_field_names():
    names = set(INTERNAL_CATALOGUE_FIELDS)
    for label in PRIVATE_APPS:
        for model in apps.get_app_config(label).get_models():
            names |= field_names(model)
    names |= field_names(get_user_model())
    return names - SHARED_WITH_PUBLIC_MODELS


def keys_in(document):
    """Every dictionary key anywhere in a JSON document."""
    if isinstance(document, dict):
        found = set(document)
        for value in document.values():
            found |= keys_in(value)
        return found
    if isinstance(document, list):
        return set().union(*(keys_in(item) for item in document)) if document else set()
    return set()


def schema_names(schema):
    properties = set()
    for component in schema["components"]["schemas"].values():
        properties |= set(component.get("properties", {}))
    for path in schema["paths"].values():
        for operation in path.values():
            properties |= {parameter["name"] for parameter in operation.get("parameters", [])}
    return properties


@pytest.fixture
def full_case(region, draft_case):
    moderator = get_user_model().objects.create_user(
        username="moderator-canary", email="canary@example.org", password="x" * 20
    )
    case = make_case(
        title="A case with everything",
        home_region=region,
        named_people="Ivan Petrov",
        legal_articles="332",
        event_date=datetime.date(2022, 4, 1),
        first_reported_on=datetime.date(2022, 4, 3),
        seed_id="seed-canary",
        sources=[{"outlet": "Mediazona", "url": "https://zona.media/a"}],
    )
    Source.objects.filter(case=case).update(verified_by=moderator, verified_at=timezone.now())
    CaseEvent.objects.create(case=case, date="2022-05-01", kind="ruling", description="Ruled.")
    CaseCorrection.objects.create(case=case, note="Corrected.")
    related = make_case(title="Related")
    case.related_cases.add(related, draft_case)
    return case


def test_every_shared_name_is_a_field_of_a_public_catalogue_model():
    public = set().union(*(field_names(model) for model in PUBLIC_MODELS)) | {"outcomes"}
    assert SHARED_WITH_PUBLIC_MODELS - public == set()


def test_the_private_names_include_what_must_never_be_published():
    private = private_field_names()
    for name in [
        "what_happened",
        "contact_encrypted",
        "receipt_hash",
        "claimed_by",
        "verification_note",
        "text",
        "file",
        "username",
        "email",
        "verified_by",
    ]:
        assert name in private


def test_no_private_field_name_appears_in_the_schema(client):
    schema = json.loads(client.get("/api/schema/", {"format": "json"}).content)
    names = schema_names(schema)
    assert names & private_field_names() == set()
    assert [n for n in names if any(word in n.lower() for word in PRIVATE_WORDS)] == []


def test_no_private_field_name_or_value_appears_in_any_response(client, full_case):
    responses = [
        client.get("/api/cases/"),
        client.get("/api/cases/", {"q": "everything", "per_page": 1}),
        client.get(f"/api/cases/{full_case.pk}/"),
    ]
    for response in responses:
        assert response.status_code == 200
        names = keys_in(response.json())
        assert names & private_field_names() == set()
        assert [n for n in names if any(word in n.lower() for word in PRIVATE_WORDS)] == []
        content = response.content.decode()
        for secret in ["moderator-canary", "canary@example.org", "seed-canary", "Draft case"]:
            assert secret not in content
