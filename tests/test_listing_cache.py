import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import make_case
from tests.helpers import listed_titles
from tracker.models import CaseOutcome, Source

pytestmark = pytest.mark.django_db

LIST_URL = reverse("tracker:case_list")
HOME_URL = reverse("tracker:home")


@pytest.mark.parametrize("url", [LIST_URL, HOME_URL])
def test_an_anonymous_reader_gets_the_cached_content_without_queries(
    client, published_case, django_assert_num_queries, url
):
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)
    assert published_case.title in second.content.decode()
    assert listed_titles(second) == listed_titles(first)


@pytest.mark.parametrize("url", [LIST_URL, HOME_URL, reverse("tracker:stats")])
def test_a_page_from_the_cache_costs_one_read_of_the_cache(
    client, published_case, monkeypatch, url
):
    client.get(url)
    reads = counted_reads(monkeypatch)
    response = client.get(url)
    assert response.status_code == 200
    # The version, the aggregates' stamps and the page in one round trip (Redis MGET).
    assert [kind for kind, _key in reads] == ["get_many"]


def counted_reads(monkeypatch):
    """The cache reads made after this call: ("get", key) or ("get_many", how many)."""
    from django.core.cache import cache

    reads, inside = [], []
    get, get_many = cache.get, cache.get_many

    def counted_get(*args, **kwargs):
        if not inside:  # a backend without MGET reads the keys of get_many one by one
            reads.append(("get", args[0]))
        return get(*args, **kwargs)

    def counted_get_many(keys, *args, **kwargs):
        reads.append(("get_many", len(keys)))
        inside.append(1)
        try:
            return get_many(keys, *args, **kwargs)
        finally:
            inside.pop()

    monkeypatch.setattr(cache, "get", counted_get)
    monkeypatch.setattr(cache, "get_many", counted_get_many)
    return reads


@pytest.mark.parametrize("filtered", [False, True])
def test_a_page_drawn_anew_reads_the_cache_three_times(
    client, published_case, monkeypatch, settings, filtered
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    query = {"kind": published_case.refusal_kind, "sort": "-people"} if filtered else {}
    client.get(LIST_URL, query)  # the counts and the rows are kept
    reads = counted_reads(monkeypatch)
    response = client.get(LIST_URL, query)
    assert published_case.title in response.content.decode()
    # The version; the counts over every case and those beside the filters together;
    # the page's rows.
    assert [kind for kind, _key in reads] == ["get", "get_many", "get_many"]


def test_a_cached_page_is_drawn_again_after_its_time(rf, monkeypatch):
    import time

    from django.contrib.auth.models import AnonymousUser

    from tracker import cache as public_cache

    request = rf.get("/cases/?kind=self_injury")
    request.user = AnonymousUser()
    drawn = []

    def draw():
        drawn.append(1)
        return f"<p>drawing {len(drawn)}</p>"

    assert public_cache.cached_content(request, "test", draw) == "<p>drawing 1</p>"
    assert public_cache.cached_content(request, "test", draw) == "<p>drawing 1</p>"
    later = time.time() + settings.PUBLIC_PAGE_CACHE_SECONDS + 1
    monkeypatch.setattr(public_cache.time, "time", lambda: later)
    assert public_cache.cached_content(request, "test", draw) == "<p>drawing 2</p>"


@pytest.mark.parametrize("url", [LIST_URL, HOME_URL])
def test_a_newly_published_case_shows_at_once(client, published_case, url):
    client.get(url)
    new = make_case(title="Newly published case")
    assert new.title in client.get(url).content.decode()


def test_an_edited_case_shows_the_edit_at_once(client, published_case):
    client.get(LIST_URL)
    published_case.title = "Corrected title"
    published_case.save()
    assert listed_titles(client.get(LIST_URL)) == ["Corrected title"]


def test_an_unpublished_case_disappears_at_once(client, published_case):
    client.get(LIST_URL)
    published_case.status = published_case.Status.DRAFT
    published_case.save()
    assert listed_titles(client.get(LIST_URL)) == []


def test_a_change_to_what_a_case_shows_invalidates_it(client, published_case):
    client.get(LIST_URL, {"outcome": "criminal_case"})
    CaseOutcome.objects.create(case=published_case, outcome="criminal_case")
    assert listed_titles(client.get(LIST_URL, {"outcome": "criminal_case"})) == [
        published_case.title
    ]
    client.get(LIST_URL, {"outlet": "Verstka"})
    Source.objects.create(case=published_case, outlet="Verstka")
    assert listed_titles(client.get(LIST_URL, {"outlet": "Verstka"})) == [published_case.title]


def test_logged_in_users_always_get_a_fresh_page(client, published_case):
    user = get_user_model().objects.create_user("reader", password="long enough password")
    client.force_login(user)
    client.get(LIST_URL)
    with CaptureQueriesContext(connection) as captured:
        client.get(LIST_URL)
    assert any("tracker_case" in query["sql"] for query in captured.captured_queries)


def test_no_reader_gets_anything_of_another_reader(published_case):
    Client().get(LIST_URL)  # fills the cache
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page = first.get(LIST_URL)
    assert page.content == second.get(LIST_URL).content
    assert "csrfmiddlewaretoken" not in page.content.decode() and not page.cookies


def test_each_language_is_cached_apart(client, published_case):
    english = client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    russian = client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert '<html lang="en">' in english
    assert '<html lang="ru">' in russian
    assert 'lang="ru"' in russian.split("<main")[0]


def test_caching_can_be_turned_off(client, published_case, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    client.get(LIST_URL)
    with CaptureQueriesContext(connection) as captured:
        client.get(LIST_URL)
    assert captured.captured_queries


def test_a_renamed_region_shows_in_the_filter_form_at_once(client, region):
    client.get(LIST_URL)
    region.name_en = "Renamed republic"
    region.save()
    assert "Renamed republic" in client.get(LIST_URL).content.decode()


def test_a_change_made_in_another_worker_process_shows_at_once(client, published_case):
    """Every worker reads the one shared cache, so the version bumped by the worker that
    changed a case makes every worker's cached page stale."""
    from tracker import cache as public_cache

    client.get(LIST_URL)  # cached
    with public_cache.invalidation_paused():  # the change reaches this process no other way
        cases = type(published_case).objects.filter(pk=published_case.pk)
        cases.update(title_en="Renamed elsewhere")
    other_worker = caches.create_connection("default")  # a separate cache client
    other_worker.set(public_cache.VERSION_KEY, "bumped-by-another-worker")

    assert "Renamed elsewhere" in listed_titles(client.get(LIST_URL))


def test_without_redis_the_cache_is_shared_by_separate_processes(tmp_path):
    """The embedded default keeps no cache in a worker's own memory: what one process puts
    in the cache another process reads (two `manage.py shell` processes here, with the
    project's own settings)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "REDIS_URL": "",
        "CACHE_DIR": str(tmp_path / "cache"),
    }
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]

    def run(*args):
        return subprocess.run(
            [*manage, *args], env=env, capture_output=True, text=True, check=True, timeout=120
        ).stdout

    run("shell", "-c", "from django.core.cache import cache; cache.set('probe', 'seen', 60)")
    out = run("shell", "-c", "from django.core.cache import cache; print(cache.get('probe'))")

    assert out.strip().splitlines()[-1] == "seen"
