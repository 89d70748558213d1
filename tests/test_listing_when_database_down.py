"""A slow or unreachable database does not take the public listing down: its last
rendering is served from the cache (tracker/cache.py); a page never rendered before gets
the friendly 503 page."""

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

from tests.conftest import make_case
from tracker.cache import bump_version

pytestmark = pytest.mark.django_db


def database_goes_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)
    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)


def test_the_listing_is_served_from_its_last_rendering_while_the_database_is_down(
    client, monkeypatch, region
):
    make_case(title="Guardsmen of Nalchik refused", home_region=region)
    assert "Guardsmen of Nalchik" in client.get("/cases/").content.decode()
    make_case(title="A case published since", home_region=region)
    bump_version()  # the cached copy is out of date now, as after any change
    database_goes_down(monkeypatch)

    response = client.get("/cases/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Guardsmen of Nalchik" in html
    assert "A case published since" not in html  # the old copy, not a fresh query


def test_a_listing_never_rendered_before_gets_the_503_page(client, monkeypatch, region):
    make_case(home_region=region)
    client.get("/cases/")
    database_goes_down(monkeypatch)

    response = client.get("/cases/?kind=refused_deploy")

    assert response.status_code == 503
    assert response["Retry-After"]
