"""Capturing sources: when a moderator verifies one, when a case is published, and with
`manage.py archive_sources`; failures recorded and retried with back-off; the moderator's
request never waits for an outlet. Everything runs against the tests' own server."""

import datetime
import hashlib
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend
from django_tasks_db.models import DBTaskResult

from moderation import services as moderation
from tests.conftest import make_case, make_submission
from tests.source_server import PAGE
from tracker.models import Case
from tracker.preservation.models import SourceSnapshot, SourceStatus
from tracker.preservation.tasks import capture_source

pytestmark = pytest.mark.django_db


def verify(client, submission, source):
    return client.post(
        reverse("moderation:verify_source", args=[submission.pk, source.pk]),
        {
            f"source-{source.pk}-reachable": "true",
            f"source-{source.pk}-supports_report": "true",
            f"source-{source.pk}-independent": "true",
            f"source-{source.pk}-verification_note": "Says the same as the report.",
        },
    )


def test_verifying_a_source_keeps_the_page_as_received_with_its_hash(
    moderator_client, source_server, settings
):
    submission = make_submission(sources=[{"url": source_server.url("/redirect")}])
    source = submission.sources.get()

    response = verify(moderator_client, submission, source)

    assert response.status_code == 302
    snapshot = SourceSnapshot.objects.get()
    assert snapshot.submission_source == source
    assert snapshot.outcome == SourceSnapshot.Outcome.CAPTURED
    assert snapshot.sha256 == hashlib.sha256(PAGE).hexdigest()
    assert snapshot.size == len(PAGE)
    assert (snapshot.status_code, snapshot.content_type) == (200, "text/html; charset=utf-8")
    assert snapshot.requested_url == source_server.url("/redirect")
    assert snapshot.final_url == source_server.url("/page")
    assert abs(snapshot.fetched_at - timezone.now()) < datetime.timedelta(minutes=1)
    with snapshot.content.open("rb") as handle:
        assert handle.read() == PAGE
    # Stored privately, under MEDIA_ROOT (never under static files, never given a URL).
    assert snapshot.content.path.startswith(str(settings.MEDIA_ROOT / "snapshots"))
    # Text for moderators: no script or style, entities decoded, Cyrillic intact.
    assert "Двенадцать росгвардейцев отказались" in snapshot.text
    assert "Суд отклонил иск & апелляцию." in snapshot.text
    assert "document.title" not in snapshot.text and "color:red" not in snapshot.text


def test_the_review_screen_links_the_snapshot(moderator_client, source_server):
    submission = make_submission(sources=[{"url": source_server.url("/page")}])
    verify(moderator_client, submission, submission.sources.get())

    content = moderator_client.get(reverse("moderation:review", args=[submission.pk])).content
    snapshot = SourceSnapshot.objects.get()
    assert reverse("moderation:snapshot", args=[snapshot.pk]).encode() in content


def test_publishing_hands_the_verification_snapshot_to_the_case_without_fetching_again(
    moderator_client, moderator, source_server, region
):
    submission = make_submission(home_region=region, sources=[{"url": source_server.url("/page")}])
    verify(moderator_client, submission, submission.sources.get())
    fetches = len(source_server.requests)

    case = moderation.publish(
        submission,
        moderator=moderator,
        case_data={
            "title_en": "Refused",
            "summary_en": "They refused.",
            "refusal_kind": "refused_deploy",
            "confidence": "reported",
        },
    )

    source = case.sources.get()
    snapshot = SourceSnapshot.objects.get()
    assert snapshot.source == source
    assert SourceStatus.objects.get(source=source).snapshot == snapshot
    assert len(source_server.requests) == fetches


def test_a_published_source_without_a_snapshot_is_captured(source_server):
    case = make_case(sources=[{"outlet": "Outlet", "url": source_server.url("/page")}])
    source = case.sources.get()

    capture_source.enqueue(source.pk)

    assert SourceStatus.objects.get(source=source).snapshot.sha256 == (
        hashlib.sha256(PAGE).hexdigest()
    )


def test_the_moderators_request_never_waits_for_the_outlet(
    moderator_client, source_server, settings
):
    """With the real task backend the capture is a queued row; the worker fetches later."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    submission = make_submission(sources=[{"url": source_server.url("/slow")}])

    response = verify(moderator_client, submission, submission.sources.get())

    assert response.status_code == 302
    assert source_server.requests == []
    assert SourceSnapshot.objects.count() == 0
    assert DBTaskResult.objects.get().task_path.endswith("capture_submission_source")


# --- failures -------------------------------------------------------------------------


@pytest.fixture
def deferred_tasks(settings):
    """A backend that keeps tasks instead of running them, to see what was retried when."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return default_task_backend


@pytest.mark.parametrize(
    ("path", "error", "retried"),
    [
        ("/unavailable", "http_status", True),
        ("/slow", "timeout", True),
        ("/missing", "http_status", False),
        ("/big", "too_large", False),
    ],
)
def test_a_failed_capture_is_recorded_and_retried_only_when_it_may_pass(
    source_server, settings, deferred_tasks, path, error, retried
):
    settings.SOURCE_FETCH_TIMEOUT = 0.2
    settings.SOURCE_FETCH_MAX_BYTES = 100
    source_server.big_size = 101
    case = make_case(sources=[{"outlet": "Outlet", "url": source_server.url(path)}])
    source = case.sources.get()
    before = timezone.now()

    outcome = capture_source.call(source.pk)

    assert outcome == "failed"
    failed = SourceSnapshot.objects.get(source=source)
    assert (failed.outcome, failed.error, failed.sha256, failed.content.name) == (
        "failed",
        error,
        "",
        "",
    )
    retries = [result for result in deferred_tasks.results if result.task.name == "capture_source"]
    assert len(retries) == (1 if retried else 0)
    if retried:
        assert retries[0].kwargs == {"attempt": 2}
        assert retries[0].task.run_after >= before + datetime.timedelta(seconds=59)


def test_the_back_off_grows_and_attempts_end(source_server, deferred_tasks):
    case = make_case(sources=[{"outlet": "Outlet", "url": source_server.url("/unavailable")}])
    source = case.sources.get()

    capture_source.call(source.pk, attempt=2)
    capture_source.call(source.pk, attempt=5)

    (retry,) = deferred_tasks.results
    assert retry.kwargs == {"attempt": 3}
    # The second failure waits four times as long as the first (one minute).
    assert retry.task.run_after - timezone.now() > datetime.timedelta(minutes=3, seconds=50)
    assert SourceSnapshot.objects.filter(source=source).count() == 2


def test_a_source_at_an_inside_address_is_refused_and_the_moderator_carries_on(
    moderator_client, settings
):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    submission = make_submission(sources=[{"url": "http://127.0.0.1:8000/admin/"}])

    response = verify(moderator_client, submission, submission.sources.get())

    assert response.status_code == 302
    failed = SourceSnapshot.objects.get()
    assert (failed.outcome, failed.error) == ("failed", "blocked_address")


# --- archive_sources ------------------------------------------------------------------


def test_archive_sources_captures_every_published_source_without_a_snapshot(source_server, capsys):
    case = make_case(
        sources=[
            {"outlet": "Kept", "url": source_server.url("/page")},
            {"outlet": "Gone", "url": source_server.url("/missing")},
            {"outlet": "No link"},
        ]
    )
    make_case(
        status=Case.Status.DRAFT, sources=[{"outlet": "D", "url": source_server.url("/page")}]
    )
    out = io.StringIO()

    call_command("archive_sources", stdout=out)

    assert out.getvalue().strip() == "Captured 1 of 2 sources; 1 failed (http_status 1)."
    assert "Capturing" in capsys.readouterr().err  # the progress bar
    kept = case.sources.get(outlet="Kept")
    assert kept.preservation.snapshot.sha256 == hashlib.sha256(PAGE).hexdigest()
    assert SourceSnapshot.objects.filter(source__case__status=Case.Status.DRAFT).count() == 0

    out = io.StringIO()
    call_command("archive_sources", stdout=out)
    # Only the failed one is tried again.
    assert out.getvalue().strip() == "Captured 0 of 1 sources; 1 failed (http_status 1)."


# --- the Wayback Machine (optional, off by default; never reached in tests) ------------------


def test_the_wayback_machine_is_not_asked_by_default(source_server, monkeypatch):
    asked = []
    monkeypatch.setattr("tracker.preservation.wayback.save", lambda source: asked.append(source))
    case = make_case(sources=[{"outlet": "Outlet", "url": source_server.url("/page")}])
    capture_source.enqueue(case.sources.get().pk)
    assert asked == []
    assert SourceStatus.objects.get().wayback_url == ""


def test_with_the_setting_the_wayback_copy_address_is_recorded(
    source_server, settings, monkeypatch
):
    """The save endpoint is played by a stand-in for the fetcher: no request leaves."""
    from tracker.preservation import fetch

    settings.SOURCE_WAYBACK_SAVE = True
    real_fetch = fetch.fetch
    saved = "https://web.archive.org/web/20261202040000/https://zona.media/news/1"

    def fake_fetch(url, **kwargs):
        if url.startswith("https://web.archive.org/save/"):
            assert url == "https://web.archive.org/save/" + source_server.url("/page")
            return fetch.FetchResult(url, saved, 200, "", b"", timezone.now(), False)
        return real_fetch(url, **kwargs)

    monkeypatch.setattr(fetch, "fetch", fake_fetch)
    monkeypatch.setattr("tracker.preservation.services.fetch", fake_fetch)
    case = make_case(sources=[{"outlet": "Outlet", "url": source_server.url("/page")}])

    capture_source.enqueue(case.sources.get().pk)

    assert SourceStatus.objects.get().wayback_url == saved


def test_archive_sources_dry_run_only_counts(source_server):
    make_case(sources=[{"outlet": "Kept", "url": source_server.url("/page")}])
    out = io.StringIO()
    call_command("archive_sources", "--dry-run", stdout=out)
    assert out.getvalue().strip() == "1 sources have no snapshot."
    assert source_server.requests == []
    assert SourceSnapshot.objects.count() == 0
