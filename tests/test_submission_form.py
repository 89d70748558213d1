import html as htmllib
import re

import pytest
from django.urls import reverse

from submissions import receipts
from submissions.crypto import decrypt_contact
from submissions.models import Submission
from tests.conftest import submission_form_data
from tracker.models import Region

pytestmark = pytest.mark.django_db

SUBMIT = "/submit/"
CODE_RE = re.compile(r'<p class="receipt-code"[^>]*><strong>([A-Z0-9-]+)</strong>')


def receipt_code(response):
    match = CODE_RE.search(response.content.decode())
    assert match, "no receipt code on the page"
    return match.group(1)


def test_the_form_is_at_submit_and_linked_from_every_page(client):
    assert reverse("submissions:submit") == SUBMIT
    home = client.get("/")
    assert f'href="{SUBMIT}"' in home.content.decode()
    page = client.get(SUBMIT)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'name="what_happened"' in html
    assert html.count('name="sources-') >= 30  # ten rows of link, outlet and date


def test_the_form_needs_no_javascript_and_loads_nothing_from_elsewhere(client):
    html = client.get(SUBMIT).content.decode()
    assert "<script" not in html
    assert 'style="' not in html
    assert "https://" not in html.replace("https://example", "")


def test_submission_and_status_pages_are_never_cached(client):
    for response in (client.get(SUBMIT), client.get("/submit/status/")):
        assert "no-store" in response["Cache-Control"]


def test_a_complete_report_is_stored_with_its_answers_and_a_receipt_is_shown_once(client):
    response = client.post(SUBMIT, submission_form_data(), HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    code = receipt_code(response)
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){4}", code)

    submission = Submission.objects.get()
    assert submission.status == Submission.Status.NEW
    assert submission.receipt_hash == receipts.code_hash(code)
    assert code not in submission.receipt_hash
    assert submission.what_happened.startswith("Twelve guardsmen")
    assert submission.event_date.isoformat() == "2022-02-26"
    assert submission.people_count == 12
    assert submission.force == "rosgvardia_omon"
    assert submission.outcomes == ["dismissed", "court_rejected"]
    assert submission.relation == Submission.Relation.RELATIVE
    assert submission.consent_to_publish is True
    assert submission.language == "ru"
    [source] = submission.sources.all()
    assert source.url == "https://example.org/news/guardsmen"
    assert source.outlet == "Example News"


def test_only_what_happened_relation_and_consent_are_required(client):
    data = {
        key: value
        for key, value in submission_form_data().items()
        if key in ("what_happened", "relation", "consent_to_publish", "form_token")
        or key.startswith("sources-")
        and key.endswith("FORMS")
    }
    response = client.post(SUBMIT, data)
    assert receipt_code(response)
    submission = Submission.objects.get()
    assert submission.force == "unknown"
    assert submission.event_date is None
    assert submission.event_date_precision == "unknown"
    assert submission.sources.count() == 0


def test_the_contact_is_stored_encrypted_and_decrypts_for_moderators(client):
    client.post(SUBMIT, submission_form_data(contact="telegram @brother_of_guardsman"))
    submission = Submission.objects.get()
    assert "brother_of_guardsman" not in submission.contact_encrypted
    assert decrypt_contact(submission.contact_encrypted) == "telegram @brother_of_guardsman"


def test_a_date_without_a_precision_counts_as_an_exact_day(client):
    client.post(SUBMIT, submission_form_data(event_date_precision=""))
    assert Submission.objects.get().event_date_precision == "day"


def test_a_number_of_people_without_a_qualifier_counts_as_approximate(client):
    client.post(SUBMIT, submission_form_data(people_count="12", people_qualifier="unknown"))
    assert Submission.objects.get().people_qualifier == "about"


def test_a_qualifier_without_a_number_of_people_is_dropped(client):
    client.post(SUBMIT, submission_form_data(people_count="", people_qualifier="at_least"))
    submission = Submission.objects.get()
    assert submission.people_count is None
    assert submission.people_qualifier == "unknown"


@pytest.mark.parametrize("path", [SUBMIT, "/submit/status/"])
def test_every_form_on_the_public_intake_pages_is_posted_so_nothing_lands_in_a_url(client, path):
    html = client.get(path).content.decode()
    forms = re.findall(r"<form\b[^>]*>", html)
    assert forms
    for form in forms:
        assert 'method="post"' in form
        assert "?" not in re.search(r'action="([^"]*)"', form).group(1)


def test_the_receipt_page_links_nowhere_with_the_code(client):
    response = client.post(SUBMIT, submission_form_data())
    code = receipt_code(response)
    for href in re.findall(r'href="([^"]*)"', response.content.decode()):
        assert code not in href and code.replace("-", "") not in href


def test_the_form_is_offered_in_russian_with_regions_in_russian_order(client):
    response = client.get(SUBMIT, HTTP_ACCEPT_LANGUAGE="ru")
    html = response.content.decode()
    assert '<html lang="ru">' in html
    select = re.search(r'<select name="home_region".*?</select>', html, re.S).group(0)
    names = [
        htmllib.unescape(name)
        for name in re.findall(r'<option value="[^"]+">([^<]+)</option>', select)
    ]
    assert names == list(Region.objects.order_by("name_ru").values_list("name_ru", flat=True))


def test_upload_limits_are_read_from_settings(client, settings):
    from tests import submission_helpers as files

    settings.SUBMISSION_MAX_FILES = 1
    uploads = [files.upload(f"{n}.pdf", files.pdf()) for n in range(2)]
    response = client.post(SUBMIT, submission_form_data(attachments=uploads))
    assert "at most 1 files" in response.content.decode()
    assert not Submission.objects.exists()


def test_a_received_report_is_the_first_entry_of_its_audit_trail(client):
    from moderation.models import AuditEvent

    client.post(SUBMIT, submission_form_data())
    submission = Submission.objects.get()
    event = AuditEvent.objects.get(submission=submission)
    assert event.action == AuditEvent.Action.SUBMIT
    assert event.actor is None
    assert event.details == {"files": 0, "sources": 1}
