"""Two moderators deciding the same submission at the same moment: exactly one outcome.

PostgreSQL only: these need real concurrent transactions (SQLite serialises them anyway).
"""

import threading

import pytest

from moderation import services
from moderation.models import AuditEvent
from submissions.models import Submission
from tests.conftest import make_submission
from tests.threads import WAIT, in_thread, someone_waits_on_a_lock
from tracker.models import Case

# serialized_rollback: the flush after each test would drop the migrations' data (regions, groups).
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CASE_DATA = {
    "title_en": "Concurrent case",
    "summary_en": "Published once.",
    "refusal_kind": "refused_deploy",
    "outcomes": [],
}


def test_a_second_decision_waits_for_the_first_and_then_fails_cleanly(
    moderator, other_moderator, region, monkeypatch
):
    submission = make_submission(
        home_region=region,
        sources=[{"url": "https://example.org/a", "outlet": "A", "verified": True}],
    )
    inside_first = threading.Event()
    let_first_finish = threading.Event()
    copy_source = services.publishing._copy_source

    def slow_copy(source, case):
        # The first publication holds its transaction open here, after its checks.
        inside_first.set()
        let_first_finish.wait(WAIT)
        return copy_source(source, case)

    monkeypatch.setattr(services.publishing, "_copy_source", slow_copy)
    first, first_outcome = in_thread(
        lambda: services.publish(submission, moderator=moderator, case_data=dict(CASE_DATA))
    )
    assert inside_first.wait(WAIT)

    second, second_outcome = in_thread(
        lambda: services.reject(submission, moderator=other_moderator, reason="duplicate")
    )
    # Without the row lock the rejection would not wait but succeed at once.
    while second.is_alive() and not someone_waits_on_a_lock():
        second.join(0.01)
    let_first_finish.set()
    first.join(WAIT)
    second.join(WAIT)

    assert "result" in first_outcome, first_outcome
    assert isinstance(second_outcome.get("error"), services.Conflict), second_outcome
    assert "is now “published”" in str(second_outcome["error"])
    submission.refresh_from_db()
    assert submission.status == Submission.Status.PUBLISHED
    assert Case.objects.count() == 1
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["publish"]


@pytest.mark.parametrize("repeat", range(3))
def test_two_moderators_publishing_at_once_create_one_case(
    moderator, other_moderator, region, repeat
):
    submission = make_submission(
        home_region=region,
        sources=[{"url": "https://example.org/a", "outlet": "A", "verified": True}],
    )
    start = threading.Barrier(2)

    def publish_as(user):
        def work():
            start.wait(WAIT)
            return services.publish(submission, moderator=user, case_data=dict(CASE_DATA))

        return work

    runs = [in_thread(publish_as(user)) for user in (moderator, other_moderator)]
    for thread, _outcome in runs:
        thread.join(WAIT)

    outcomes = [outcome for _thread, outcome in runs]
    assert sorted("result" in outcome for outcome in outcomes) == [False, True]
    assert Case.objects.count() == 1
    assert AuditEvent.objects.filter(action="publish").count() == 1
    submission.refresh_from_db()
    assert submission.case == Case.objects.get()


def test_two_moderators_undoing_one_rejection_at_once_undo_it_once(
    moderator, other_moderator, monkeypatch
):
    submission = make_submission()
    services.reject_as_spam([submission], moderator=moderator)
    inside_first = threading.Event()
    let_first_finish = threading.Event()
    record = services.handling.common.record

    def slow_record(action, **kwargs):
        if action == AuditEvent.Action.UNDO_REJECTION and not inside_first.is_set():
            # The first undo holds its transaction open here, after changing the row.
            inside_first.set()
            let_first_finish.wait(WAIT)
        return record(action, **kwargs)

    monkeypatch.setattr(services.handling.common, "record", slow_record)
    first, first_outcome = in_thread(
        lambda: services.undo_rejection(submission, moderator=moderator)
    )
    assert inside_first.wait(WAIT)
    second, second_outcome = in_thread(
        lambda: services.undo_rejection(submission, moderator=other_moderator)
    )
    # Without the row lock the second undo would not wait but find the row still rejected.
    while second.is_alive() and not someone_waits_on_a_lock():
        second.join(0.01)
    let_first_finish.set()
    first.join(WAIT)
    second.join(WAIT)

    assert "result" in first_outcome, first_outcome
    assert isinstance(second_outcome.get("error"), services.Conflict), second_outcome
    assert "was already undone by moderator" in str(second_outcome["error"])
    submission.refresh_from_db()
    assert submission.status == Submission.Status.NEW
    assert AuditEvent.objects.filter(action="undo_rejection").count() == 1
