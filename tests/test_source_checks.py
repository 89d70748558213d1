"""Watching sources: `manage.py check_sources` records each link's history; a page that is
gone shows "offline since …" with the archived copy's hash on the case page; moderators
get the list of dead sources."""

import hashlib
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.formats import date_format

from tests.conftest import log_in, make_case, make_user
from tests.source_server import PAGE
from tracker.preservation.models import SourceCheck, SourceStatus
from tracker.preservation.tasks import capture_source, check_source

pytestmark = pytest.mark.django_db

SHA = hashlib.sha256(PAGE).hexdigest()


def check_all(*args):
    out = io.StringIO()
    call_command("check_sources", *args, stdout=out, verbosity=0)
    return out.getvalue().strip()


@pytest.fixture
def watched_case(source_server):
    """A published case citing a page that the test can make disappear, archived."""
    case = make_case(sources=[{"outlet": "Outlet", "url": source_server.url("/later-gone")}])
    capture_source.enqueue(case.sources.get().pk)
    return case


def test_a_page_that_disappears_shows_offline_since_with_its_archived_copy(
    client, watched_case, source_server
):
    source = watched_case.sources.get()
    assert check_all() == "Checked 1 sources: 1 online, 0 gone, 0 unreachable."
    page = client.get(watched_case.get_absolute_url()).content.decode()
    assert "Link working when checked on" in page
    assert "Offline since" not in page

    source_server.gone = True
    assert check_all() == "Checked 1 sources: 0 online, 1 gone, 0 unreachable."

    checks = list(source.checks.order_by("checked_at"))
    assert [(check.result, check.status_code) for check in checks] == [("ok", 200), ("gone", 404)]
    status = SourceStatus.objects.get(source=source)
    assert status.link_status == SourceStatus.Link.OFFLINE
    assert status.offline_since == checks[1].checked_at
    page = client.get(watched_case.get_absolute_url()).content.decode()
    assert "Offline since" in page
    assert SHA in page
    captured = date_format(status.snapshot.fetched_at, "DATE_FORMAT")
    assert f"Archived copy captured on {captured}, SHA-256:" in page


def test_offline_since_keeps_the_first_failed_check_and_clears_when_the_page_returns(
    watched_case, source_server
):
    source = watched_case.sources.get()
    source_server.gone = True
    first = check_source.call(source.pk)
    check_source.call(source.pk)
    status = SourceStatus.objects.get(source=source)
    first_gone = SourceCheck.objects.filter(source=source).order_by("checked_at").first()
    assert (first, status.offline_since) == ("gone", first_gone.checked_at)

    source_server.gone = False
    assert check_source.call(source.pk) == "ok"
    status.refresh_from_db()
    assert (status.link_status, status.offline_since) == ("online", None)


def test_an_outlet_that_fails_is_unreachable_not_gone(source_server):
    case = make_case(sources=[{"outlet": "Down", "url": source_server.url("/unavailable")}])

    assert check_all() == "Checked 1 sources: 0 online, 0 gone, 1 unreachable."

    check = SourceCheck.objects.get(source__case=case)
    assert (check.result, check.status_code, check.error) == ("unreachable", 503, "http_status")


def test_recently_checked_sources_can_be_left_out(watched_case):
    assert check_all("--skip-checked-within", "24").startswith("Checked 1 sources")
    assert check_all("--skip-checked-within", "24").startswith("Checked 0 sources")
    assert check_all().startswith("Checked 1 sources")


# --- the moderators' list -------------------------------------------------------------


def test_moderators_see_the_dead_sources_with_their_archived_copy(
    moderator_client, watched_case, source_server
):
    alive = make_case(sources=[{"outlet": "Alive", "url": source_server.url("/page")}])
    source_server.gone = True
    check_all()

    response = moderator_client.get(reverse("moderation:dead_sources"))

    content = response.content.decode()
    assert response.status_code == 200
    assert source_server.url("/later-gone") in content
    assert source_server.url("/page") not in content
    assert f'href="/moderation/cases/{watched_case.pk}/edit/"' in content
    assert f'href="/moderation/cases/{alive.pk}/edit/"' not in content
    snapshot = watched_case.sources.get().preservation.snapshot
    assert reverse("moderation:snapshot", args=[snapshot.pk]) in content


def test_the_dead_sources_page_is_for_moderators_only(client, db):
    url = reverse("moderation:dead_sources")
    assert client.get(url).status_code == 302
    log_in(client, make_user("reader"))
    assert client.get(url).status_code == 403


def test_an_older_result_never_overwrites_a_newer_one(watched_case):
    """Two workers may finish out of order: the status keeps the latest check and snapshot."""
    import datetime

    from tracker.preservation import services
    from tracker.preservation.models import SourceSnapshot

    source = watched_case.sources.get()
    newest = SourceStatus.objects.get(source=source).snapshot
    older = SourceSnapshot.objects.create(
        source=source,
        outcome="failed",
        error="timeout",
        requested_url=source.url,
        fetched_at=newest.fetched_at - datetime.timedelta(hours=1),
    )
    services._show_snapshot(source.pk, older)
    assert SourceStatus.objects.get(source=source).snapshot == newest
