"""Capturing and checking sources; the only code that writes preservation rows.

Called by the tasks (tracker/preservation/tasks.py) and the management commands, never in
a moderator's request: moderation code only enqueues (`source_verified`, `source_copied`).
A fetch failure is recorded as a failed snapshot or a check, never raised.
"""

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from .fetch import ErrorKind, FetchError, fetch
from .models import SourceCheck, SourceSnapshot, SourceStatus
from .text import extract_text

logger = logging.getLogger(__name__)

GONE_STATUSES = {404, 410, 451}


# --- hooks for moderation/services.py: they only enqueue --------------------------------


def source_verified(submission_source):
    """A moderator verified a submission's source: capture it as they saw it."""
    from .tasks import capture_submission_source

    if submission_source.url:
        capture_submission_source.enqueue(submission_source.pk)


def source_copied(submission_source, source):
    """A verified source was copied onto a case: hand over its snapshots, or capture it."""
    from .tasks import capture_source

    capture_source.enqueue(source.pk, submission_source_id=submission_source.pk)


# --- capture ---------------------------------------------------------------------------


def capture(url, *, source=None, submission_source=None, attempt=1):
    """Fetch `url` and keep a snapshot of it for the source; returns (snapshot, error)."""
    owner = {"source": source, "submission_source": submission_source}
    try:
        result = fetch(url)
    except FetchError as error:
        snapshot = SourceSnapshot.objects.create(
            **owner,
            outcome=SourceSnapshot.Outcome.FAILED,
            error=error.kind,
            attempt=attempt,
            requested_url=url,
            final_url=error.final_url[:2000],
            status_code=error.status_code,
            fetched_at=timezone.now(),
        )
        logger.info("Capture of source failed: %s", error.kind)
        return snapshot, error
    snapshot = SourceSnapshot(
        **owner,
        outcome=SourceSnapshot.Outcome.CAPTURED,
        attempt=attempt,
        requested_url=url,
        final_url=result.final_url[:2000],
        status_code=result.status_code,
        content_type=result.content_type,
        size=len(result.body),
        sha256=hashlib.sha256(result.body).hexdigest(),
        text=extract_text(result.content_type, result.body),
        fetched_at=result.fetched_at,
        via_proxy=result.via_proxy,
    )
    snapshot.content.save("snapshot", ContentFile(result.body), save=False)
    try:
        with transaction.atomic():
            snapshot.save()
            if source is not None:
                _show_snapshot(source.pk, snapshot)
    except BaseException:
        snapshot.content.storage.delete(snapshot.content.name)
        raise
    return snapshot, None


def adopt_snapshots(submission_source_id, source):
    """Give the published source the snapshots taken when its report was verified."""
    with transaction.atomic():
        SourceSnapshot.objects.filter(
            submission_source_id=submission_source_id, source__isnull=True
        ).update(source=source)
        latest = source.snapshots.filter(outcome=SourceSnapshot.Outcome.CAPTURED).first()
        if latest is not None:
            _show_snapshot(source.pk, latest)
    return latest


def _locked_status(source_id):
    status, _created = SourceStatus.objects.select_for_update().get_or_create(source_id=source_id)
    return status


def _show_snapshot(source_id, snapshot):
    """Point the source's status at `snapshot` unless a newer one is already shown."""
    status = _locked_status(source_id)
    current = status.snapshot
    if current is None or current.fetched_at <= snapshot.fetched_at:
        status.snapshot = snapshot
        status.save(update_fields=["snapshot"])


# --- link checks -----------------------------------------------------------------------


def _result_of(error):
    if error is None:
        return SourceCheck.Result.OK
    if error.kind == ErrorKind.HTTP_STATUS and error.status_code in GONE_STATUSES:
        return SourceCheck.Result.GONE
    return SourceCheck.Result.UNREACHABLE


LINK_STATUS = {
    SourceCheck.Result.OK: SourceStatus.Link.ONLINE,
    SourceCheck.Result.GONE: SourceStatus.Link.OFFLINE,
    SourceCheck.Result.UNREACHABLE: SourceStatus.Link.UNREACHABLE,
}


def check(source):
    """Look at the source's link once more and record what was found."""
    checked_at = timezone.now()
    error = None
    status_code = None
    try:
        status_code = fetch(source.url, read_body=False).status_code
    except FetchError as failure:
        error = failure
        status_code = failure.status_code
    result = _result_of(error)
    with transaction.atomic():
        record = SourceCheck.objects.create(
            source=source,
            checked_at=checked_at,
            result=result,
            status_code=status_code,
            error=error.kind if error else "",
        )
        status = _locked_status(source.pk)
        if status.link_checked_at is None or status.link_checked_at <= checked_at:
            status.link_status = LINK_STATUS[result]
            status.link_checked_at = checked_at
            if result == SourceCheck.Result.OK:
                status.offline_since = None
            elif status.offline_since is None:
                status.offline_since = checked_at
            status.save()
    return record
