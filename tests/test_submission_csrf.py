"""A stale page or a browser that forgot the site (Tor Browser's "New Identity") gets an
explanation and its draft back, never a bare 403."""

import re

import pytest
from django.test import Client

from submissions.models import Message, Submission
from tests import submission_helpers as files
from tests.conftest import make_submission, submission_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser():
    return Client(enforce_csrf_checks=True)


def csrf_token(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_report_without_a_valid_csrf_token_explains_itself_and_keeps_the_draft(browser):
    response = browser.post(
        "/submit/",
        submission_form_data(attachments=[files.upload("a.jpg", files.jpeg_with_metadata())]),
    )

    assert response.status_code == 403
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "Nothing was sent yet." in html
    assert "“New Identity” in Tor Browser" in html
    assert "Twelve guardsmen refused to cross the border" in html
    assert 'value="military unit 3723"' in html
    assert 'value="https://example.org/news/guardsmen"' in html
    assert files.is_checked(html, "outcomes", "dismissed")
    assert files.is_checked(html, "consent_to_publish")
    assert "please choose them again" in html
    assert "invalid-feedback" not in html  # the draft is shown, not judged
    assert Submission.objects.count() == 0


def test_the_draft_can_be_sent_again_from_the_explanation_page(browser):
    data = submission_form_data()
    page = browser.post("/submit/", data).content.decode()
    token = csrf_token(page)
    form_token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)

    sent = browser.post(
        "/submit/", {**data, "form_token": form_token, "csrfmiddlewaretoken": token}
    )

    assert sent.status_code == 200
    assert "receipt-code" in sent.content.decode()
    assert Submission.objects.count() == 1


def test_an_answer_without_a_valid_csrf_token_keeps_its_text(browser):
    asked = make_submission(status=Submission.Status.NEEDS_INFO, questions=["Which unit?"])
    response = browser.post(
        "/submit/status/answer/", {"code": asked.receipt_code, "text": "The 2nd company."}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "Nothing was sent" in html
    assert "The 2nd company." in html
    assert f'value="{asked.receipt_code}"' in html
    assert not Message.objects.filter(author_kind=Message.Author.SUBMITTER).exists()

    again = browser.post(
        "/submit/status/answer/",
        {
            "code": asked.receipt_code,
            "text": "The 2nd company.",
            "csrfmiddlewaretoken": csrf_token(html),
        },
    )
    assert "Your answer was sent" in again.content.decode()


def test_any_other_csrf_failure_gets_the_explanation_page(browser):
    response = browser.post("/submit/status/", {"code": "2345-6789-ABCD-EFGH-JKMN"})
    assert response.status_code == 403
    assert "We could not be sure this form came from you" in response.content.decode()
