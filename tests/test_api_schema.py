import json

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

from tracker.filters import CaseFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_schema_is_served_as_openapi_3_yaml_by_default(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    document = yaml.safe_load(response.content)
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {"/api/cases/", "/api/cases/{id}/"}


def test_the_served_schema_validates_against_the_openapi_3_specification(schema):
    validate_schema(schema)  # raises on an invalid document


def test_the_schema_is_generated_without_warnings(tmp_path):
    # --fail-on-warn turns any field or filter whose type could not be worked out into an
    # error, so the schema never silently documents a parameter as a bare string.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yml")
    assert yaml.safe_load((tmp_path / "s.yml").read_text())["info"]["title"]


def test_the_schema_documents_every_listing_filter_and_the_paging(schema):
    parameters = {p["name"] for p in schema["paths"]["/api/cases/"]["get"]["parameters"]}
    assert parameters == set(CaseFilter.base_filters) | {"page", "per_page", "after", "before"}


def test_the_schema_offers_only_reading(schema):
    methods = {method for path in schema["paths"].values() for method in path}
    assert methods == {"get"}
