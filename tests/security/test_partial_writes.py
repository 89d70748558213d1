"""A write of several rows (and files) that fails half-way leaves nothing behind: no
submission without its sources, no file on disk without its row, no case without its audit
event. Each test breaks one step of a real write and checks the database and the disk."""

from pathlib import Path

import pytest
from django.urls import reverse

from moderation import services
from moderation.models import AuditEvent, PublicationApproval
from submissions import services as submission_services
from submissions.models import Attachment, Message, Submission, SubmissionSource, UsedFormToken
from submissions.uploads import clean_upload
from tests import submission_helpers as files
from tests.conftest import make_case, make_submission, submission_form_data
from tracker.models import Case, CaseCorrection, CaseOutcome, Source

pytestmark = pytest.mark.django_db


class Broken(Exception):
    """The failure planted in the middle of a write."""


def fail_on_call(number):
    """A replacement that raises on its `number`-th call and calls through before."""

    def install(monkeypatch, owner, name):
        original = getattr(owner, name)
        calls = []

        def replacement(*args, **kwargs):
            calls.append(1)
            if len(calls) == number:
                raise Broken(f"{name} failed")
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, replacement)

    return install


def files_on_disk(settings):
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def two_images():
    jpeg = files.upload("a.jpg", files.jpeg_with_metadata(), "image/jpeg")
    png = files.upload("b.png", files.png_with_metadata(), "image/png")
    return [clean_upload(jpeg), clean_upload(png)]


def create(**overrides):
    values = {
        "form_nonce": "nonce-1",
        "fields": {"what_happened": "Text", "relation": "self", "consent_to_publish": True},
        "sources": [{"url": "https://example.org/a", "outlet": "A"}, {"outlet": "B"}],
        "files": two_images(),
        "contact": "signal +7 900",
        "language": "ru",
    }
    values.update(overrides)
    return submission_services.create_submission(**values)


def assert_no_submission_left(settings):
    assert not Submission.objects.exists()
    assert not SubmissionSource.objects.exists()
    assert not Attachment.objects.exists()
    assert not UsedFormToken.objects.exists()
    assert files_on_disk(settings) == []


# --- a report ------------------------------------------------------------------------------


def test_a_failure_storing_the_sources_leaves_no_submission(settings, monkeypatch):
    fail_on_call(1)(monkeypatch, SubmissionSource.objects, "bulk_create")

    with pytest.raises(Broken):
        create()

    assert_no_submission_left(settings)


def test_a_failure_after_the_first_file_was_written_leaves_no_row_and_no_file(
    settings, monkeypatch
):
    fail_on_call(2)(monkeypatch, Attachment, "save")

    with pytest.raises(Broken):
        create()

    assert_no_submission_left(settings)


def test_a_failure_in_the_last_step_still_removes_the_written_files(settings, monkeypatch):
    fail_on_call(1)(monkeypatch, UsedFormToken.objects, "filter")

    with pytest.raises(Broken):
        create()

    assert_no_submission_left(settings)


def test_a_report_whose_storing_failed_can_be_sent_again_with_the_same_form(
    client, settings, monkeypatch
):
    client.raise_request_exception = False
    data = submission_form_data()
    fail_on_call(1)(monkeypatch, SubmissionSource.objects, "bulk_create")

    failed = client.post(reverse("submissions:submit"), data)
    monkeypatch.undo()
    retried = client.post(reverse("submissions:submit"), data)

    assert failed.status_code == 500
    assert "receipt-code" in retried.content.decode()
    assert Submission.objects.count() == 1
    assert SubmissionSource.objects.count() == 1


def test_a_failed_answer_leaves_the_question_open_and_no_file(region, settings, monkeypatch):
    submission = make_submission(home_region=region, status="needs_info", questions=["Which?"])
    fail_on_call(2)(monkeypatch, Attachment, "save")

    with pytest.raises(Broken):
        submission_services.answer_question(submission, text="Unit 3723", files=two_images())

    submission.refresh_from_db()
    assert submission.status == Submission.Status.NEEDS_INFO
    assert Message.objects.filter(author_kind="submitter").count() == 0
    assert not Attachment.objects.exists()
    assert files_on_disk(settings) == []


# --- publishing and the other decisions ------------------------------------------------------

CASE_DATA = {
    "original_language": "en",
    "title_en": "A case",
    "summary_en": "Summary.",
    "refusal_kind": "refused_deploy",
    "confidence": "confirmed",
    "outcomes": ["dismissed", "criminal_case"],
}


@pytest.fixture
def verified(region):
    return make_submission(
        home_region=region,
        sources=[
            {"url": "https://example.org/a", "outlet": "A", "verified": True},
            {"url": "https://example.org/b", "outlet": "B", "verified": True},
        ],
    )


def assert_nothing_published(submission, status=Submission.Status.NEW):
    submission.refresh_from_db()
    assert submission.status == status
    assert submission.case is None
    assert not Case.objects.exists()
    assert not CaseOutcome.objects.exists()
    assert not Source.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_publication_failing_at_the_second_source_leaves_no_case(
    verified, moderator, monkeypatch
):
    fail_on_call(2)(monkeypatch, services.publishing, "_copy_source")

    with pytest.raises(Broken):
        services.publish(verified, moderator=moderator, case_data=dict(CASE_DATA))

    assert_nothing_published(verified)


def test_a_publication_failing_at_its_audit_event_leaves_no_case(verified, moderator, monkeypatch):
    fail_on_call(1)(monkeypatch, services.common, "record")

    with pytest.raises(Broken):
        services.publish(verified, moderator=moderator, case_data=dict(CASE_DATA))

    assert_nothing_published(verified)


def test_a_publication_that_fails_in_the_view_is_a_500_and_changes_nothing(
    moderator_client, verified, monkeypatch
):
    moderator_client.raise_request_exception = False
    fail_on_call(1)(monkeypatch, services.common, "record")
    data = {**CASE_DATA, "event_date_precision": "unknown", "people_qualifier": "unknown"}
    data.update(service_status="unknown", force="unknown", location_country="unknown")

    response = moderator_client.post(reverse("moderation:publish", args=[verified.pk]), data)

    assert response.status_code == 500
    assert_nothing_published(verified)


def test_a_merge_failing_at_its_audit_event_leaves_the_case_as_it_was(
    verified, moderator, region, monkeypatch
):
    case = make_case(home_region=region, summary="Before.", sources=[{"outlet": "Old"}])
    before = (case.summary, case.confidence, case.people_count, sorted(case.outcomes))
    fail_on_call(1)(monkeypatch, services.common, "record")
    merge_data = {
        "outcomes": ["criminal_case"],
        "people_count": 40,
        "people_qualifier": "about",
        "summary_addition": {"en": "More."},
        "correction_note": "Added a source.",
        "event": {
            "date": "2023-01-01",
            "date_precision": "day",
            "kind": "ruling",
            "description": {"en": "x"},
        },
    }

    with pytest.raises(Broken):
        services.merge(verified, moderator=moderator, case=case, merge_data=merge_data)

    case.refresh_from_db()
    assert (case.summary, case.confidence, case.people_count, sorted(case.outcomes)) == before
    assert case.sources.count() == 1
    assert not case.events.exists()
    assert not CaseCorrection.objects.exists()
    verified.refresh_from_db()
    assert verified.status == Submission.Status.NEW


def test_a_rejection_failing_at_its_audit_event_changes_nothing(verified, moderator, monkeypatch):
    fail_on_call(1)(monkeypatch, services.common, "record")

    with pytest.raises(Broken):
        services.reject(verified, moderator=moderator, reason="spam", note="x")

    verified.refresh_from_db()
    assert (verified.status, verified.rejection_reason, verified.decided_at) == ("new", "", None)


def test_an_approval_failing_at_its_audit_event_leaves_the_draft_unpublished(
    verified, moderator, other_moderator, settings, monkeypatch
):
    settings.MODERATION_FOUR_EYES = True
    case = services.publish(verified, moderator=moderator, case_data=dict(CASE_DATA))
    fail_on_call(1)(monkeypatch, services.common, "record")

    with pytest.raises(Broken):
        services.approve_publication(verified, moderator=other_moderator)

    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT
    assert PublicationApproval.objects.get().approved_at is None
    verified.refresh_from_db()
    assert verified.status == Submission.Status.IN_REVIEW


def test_a_retraction_failing_at_its_audit_event_leaves_the_case_public(
    moderator, region, monkeypatch
):
    case = make_case(home_region=region)
    fail_on_call(1)(monkeypatch, services.common, "record")

    with pytest.raises(Broken):
        services.retract(case, moderator=moderator, reason="Withdrawn.")

    case.refresh_from_db()
    assert case.status == Case.Status.PUBLISHED
    assert case.retraction_reason == ""
