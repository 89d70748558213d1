"""Background tasks of source preservation (run by `manage.py db_worker`).

A capture that fails for a reason that may pass (timeout, connection, DNS, a 5xx or 429)
is retried with back-off (tracker/taskqueue.py); every attempt is kept as a snapshot row,
so the moderators see what happened.
"""

from django.conf import settings
from django_tasks import task

from submissions.models import SubmissionSource
from tracker.models import Source
from tracker.taskqueue import retry_later

from . import services, wayback
from .fetch import FetchError
from .models import SourceSnapshot

CAPTURE_MAX_ATTEMPTS = 5


@task()
def capture_submission_source(submission_source_id, attempt=1):
    source = SubmissionSource.objects.filter(pk=submission_source_id).first()
    if source is None or not source.url:
        return "gone"
    if source.snapshots.filter(outcome=SourceSnapshot.Outcome.CAPTURED).exists():
        return "exists"
    snapshot, error = services.capture(source.url, submission_source=source, attempt=attempt)
    if error is not None and error.transient:
        retry_later(
            capture_submission_source,
            submission_source_id,
            attempt=attempt,
            max_attempts=CAPTURE_MAX_ATTEMPTS,
        )
    return snapshot.outcome


@task()
def capture_source(source_id, submission_source_id=None, attempt=1):
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        return "gone"
    if submission_source_id is not None and attempt == 1:
        services.adopt_snapshots(submission_source_id, source)
    if source.snapshots.filter(outcome=SourceSnapshot.Outcome.CAPTURED).exists():
        return "exists"
    if not source.url:
        return "no link"
    snapshot, error = services.capture(source.url, source=source, attempt=attempt)
    if error is not None and error.transient:
        retry_later(capture_source, source_id, attempt=attempt, max_attempts=CAPTURE_MAX_ATTEMPTS)
    if error is None and settings.SOURCE_WAYBACK_SAVE:
        save_to_wayback.enqueue(source_id)
    return snapshot.outcome


@task()
def save_to_wayback(source_id, attempt=1):
    """SOURCE_WAYBACK_SAVE only: a second copy at the Internet Archive, retried if it fails."""
    source = Source.objects.filter(pk=source_id).exclude(url="").first()
    if source is None or not settings.SOURCE_WAYBACK_SAVE:
        return "skipped"
    try:
        return wayback.save(source)
    except FetchError as error:
        if error.transient:
            retry_later(
                save_to_wayback, source_id, attempt=attempt, max_attempts=CAPTURE_MAX_ATTEMPTS
            )
        return f"failed: {error.kind}"


@task()
def check_source(source_id):
    source = Source.objects.filter(pk=source_id).exclude(url="").first()
    if source is None:
        return "gone"
    return services.check(source).result
