import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from submissions.models import Attachment, Message, Submission
from tests import submission_helpers as files
from tests.conftest import make_case, make_submission

pytestmark = pytest.mark.django_db

STATUS = "/submit/status/"
QUESTION = "Which company of the unit was it? Is there a document?"


def look_up(client, code, **extra):
    return client.post(STATUS, {"code": code}, **extra)


def without_tokens_and_typed_code(response):
    """The page, less the CSRF token and the code field (which gives back what was typed)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r'<input type="text" name="code"[^>]*>', "", html)


@pytest.fixture
def asked():
    return make_submission(status=Submission.Status.NEEDS_INFO, questions=[QUESTION])


def test_the_status_page_asks_for_the_code_and_never_puts_it_in_the_url(client, new_submission):
    page = client.get(STATUS)
    assert page.status_code == 200
    assert 'method="post"' in page.content.decode()

    response = look_up(client, new_submission.receipt_code)

    assert response.status_code == 200
    assert response.request["PATH_INFO"] == STATUS
    assert response.request.get("QUERY_STRING", "") == ""
    assert "no-store" in response["Cache-Control"]
    assert "Received. It is waiting for a moderator." in response.content.decode()


def test_a_code_is_found_whatever_the_case_spacing_or_cyrillic_lookalikes(client):
    submission = make_submission(receipt_code="K7QF-M2XD-9RTA-W4HE-P6NC")
    for typed in ("k7qf m2xd 9rta w4he p6nc", " K7QFM2XD9RTAW4HEP6NC ", "К7QF-М2ХD-9RТА-W4НЕ-Р6NС"):
        response = look_up(client, typed)
        assert "waiting for a moderator" in response.content.decode(), typed
    assert (
        submission.receipt_hash not in look_up(client, "K7QF-M2XD-9RTA-W4HE-P6NC").content.decode()
    )


def test_the_page_never_shows_the_contact_or_anything_for_moderators_only(client, new_submission):
    html = look_up(client, new_submission.receipt_code).content.decode()
    assert "900 000-00-00" not in html
    assert new_submission.contact_encrypted not in html


@pytest.mark.parametrize(
    "typed", ["2345-6789-ABCD-EFGH-JKMN", "", "not a code", "x" * 500, "K7QF-M2XD"]
)
def test_a_wrong_code_gets_the_same_answer_and_work_as_a_missing_one(client, typed):
    make_submission()
    look_up(client, "2345-6789-ABCD-EFGH-JKMN")  # the day's client-hash key is made once
    with CaptureQueriesContext(connection) as missing_queries:
        missing = look_up(client, "2345-6789-ABCD-EFGH-JKMN")
    with CaptureQueriesContext(connection) as typed_queries:
        wrong = look_up(client, typed)

    assert wrong.status_code == missing.status_code == 200
    assert "No report matches this code" in wrong.content.decode()
    assert without_tokens_and_typed_code(wrong) == without_tokens_and_typed_code(missing)
    assert len(typed_queries) == len(missing_queries)


def test_wrong_codes_are_throttled_per_client_and_a_right_code_still_works(
    client, settings, new_submission
):
    settings.RECEIPT_LOOKUPS_PER_HOUR = 3
    for _ in range(3):
        assert look_up(client, "2345-6789-ABCD-EFGH-JKMN").status_code == 200

    throttled = look_up(client, "2345-6789-ABCD-EFGH-JKMM")
    right = look_up(client, new_submission.receipt_code)

    assert throttled.status_code == 429
    assert "Too many codes were tried" in throttled.content.decode()
    assert right.status_code == 200
    assert "waiting for a moderator" in right.content.decode()
    other_client = look_up(client, "2345-6789-ABCD-EFGH-JKMM", REMOTE_ADDR="198.51.100.7")
    assert other_client.status_code == 200


def test_the_moderators_question_is_shown_with_a_form_to_answer_it(client, asked):
    html = look_up(client, asked.receipt_code).content.decode()
    assert "A moderator has a question for you." in html
    assert QUESTION in html
    assert 'action="/submit/status/answer/"' in html
    assert 'name="code"' in html


def test_an_answer_with_a_file_is_stored_and_the_status_becomes_answered(
    client, asked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/submit/status/answer/",
            {
                "code": asked.receipt_code,
                "text": "The 2nd company. Here is the order.",
                "attachments": [files.upload("order.jpg", files.jpeg_with_metadata())],
            },
        )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Your answer was sent to the moderators." in html
    assert "We received your answer." in html
    asked.refresh_from_db()
    assert asked.status == Submission.Status.ANSWERED
    answer = asked.messages.get(author_kind=Message.Author.SUBMITTER)
    assert answer.text == "The 2nd company. Here is the order."
    [attachment] = Attachment.objects.filter(message=answer, submission=asked)
    assert attachment.metadata_removed is True
    with attachment.file.open("rb") as stored:
        assert files.SECRET.encode() not in stored.read()


def test_sending_the_same_answer_twice_stores_it_once(client, asked):
    data = {"code": asked.receipt_code, "text": "The 2nd company."}
    client.post("/submit/status/answer/", data)

    again = client.post("/submit/status/answer/", data)

    assert "no open question" in again.content.decode()
    assert asked.messages.filter(author_kind=Message.Author.SUBMITTER).count() == 1


def test_a_bad_answer_comes_back_with_its_text(client, asked):
    response = client.post(
        "/submit/status/answer/",
        {
            "code": asked.receipt_code,
            "text": "The 2nd company.",
            "attachments": [files.upload("order.jpg", b"MZ\x90\x00 not an image")],
        },
    )
    html = response.content.decode()
    assert "is not a JPEG, PNG or WebP" in html
    assert "The 2nd company." in html
    assert "please choose them again" in html
    asked.refresh_from_db()
    assert asked.status == Submission.Status.NEEDS_INFO


def test_there_is_no_answer_form_without_an_open_question(client, new_submission):
    html = look_up(client, new_submission.receipt_code).content.decode()
    assert "/submit/status/answer/" not in html
    response = client.post(
        "/submit/status/answer/", {"code": new_submission.receipt_code, "text": "More details."}
    )
    assert "no open question" in response.content.decode()
    assert not new_submission.messages.exists()


def test_an_answer_with_a_wrong_code_changes_nothing(client, asked):
    response = client.post(
        "/submit/status/answer/", {"code": "2345-6789-ABCD-EFGH-JKMN", "text": "Hello"}
    )
    assert "No report matches this code" in response.content.decode()
    assert not Message.objects.filter(author_kind=Message.Author.SUBMITTER).exists()


def test_the_submitter_can_withdraw_an_open_submission(client, new_submission):
    response = client.post(
        "/submit/status/withdraw/", {"code": new_submission.receipt_code, "confirm": "on"}
    )
    html = response.content.decode()
    assert "Your report was withdrawn." in html
    assert "You withdrew this report. Nothing from it will be published." in html
    new_submission.refresh_from_db()
    assert new_submission.status == Submission.Status.WITHDRAWN
    assert new_submission.decided_at is not None


def test_withdrawing_needs_a_confirmation(client, new_submission):
    response = client.post("/submit/status/withdraw/", {"code": new_submission.receipt_code})
    assert "Please tick the box to confirm." in response.content.decode()
    new_submission.refresh_from_db()
    assert new_submission.status == Submission.Status.NEW


def test_a_withdrawn_submission_shows_its_state_and_offers_nothing_more(client):
    submission = make_submission(status=Submission.Status.WITHDRAWN, questions=[QUESTION])
    html = look_up(client, submission.receipt_code).content.decode()
    assert "You withdrew this report." in html
    assert "/submit/status/answer/" not in html
    assert "/submit/status/withdraw/" not in html

    again = client.post(
        "/submit/status/withdraw/", {"code": submission.receipt_code, "confirm": "on"}
    )
    assert "can no longer be withdrawn" in again.content.decode()
    answer = client.post(
        "/submit/status/answer/", {"code": submission.receipt_code, "text": "Hello"}
    )
    assert "no open question" in answer.content.decode()
    assert not submission.messages.filter(author_kind=Message.Author.SUBMITTER).exists()


def test_a_decided_submission_cannot_be_withdrawn(client):
    case = make_case()
    submission = make_submission(status=Submission.Status.PUBLISHED, case=case)
    html = look_up(client, submission.receipt_code).content.decode()
    assert "Your report was published as a case." in html
    assert case.get_absolute_url() in html
    assert "/submit/status/withdraw/" not in html


def test_a_rejected_submission_says_why_in_plain_words(client):
    submission = make_submission(
        status=Submission.Status.REJECTED,
        rejection_reason=Submission.RejectionReason.UNVERIFIABLE,
    )
    html = look_up(client, submission.receipt_code).content.decode()
    assert "Your report was not published." in html
    assert "could not check it against sources" in html


def test_answer_and_withdraw_only_accept_post(client):
    assert client.get("/submit/status/answer/").status_code == 405
    assert client.get("/submit/status/withdraw/").status_code == 405


def test_the_submitters_own_transitions_are_in_the_audit_trail(client, settings):
    from moderation.models import AuditEvent
    from submissions import services

    submission = make_submission(status=Submission.Status.NEEDS_INFO, questions=["When?"])
    services.answer_question(submission, text="In March.", files=[])
    services.withdraw(submission)
    events = list(AuditEvent.objects.filter(submission=submission).order_by("at", "id"))
    assert [event.action for event in events] == ["answer", "withdraw"]
    assert all(event.actor is None and event.actor_name == "" for event in events)
    assert "In March." not in str([event.details for event in events])
