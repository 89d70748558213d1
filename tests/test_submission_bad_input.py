"""Every kind of bad input gets the form back: no 500, a clear message next to the field,
and everything else the person typed still filled in."""

import datetime
import html as htmllib

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from submissions.forms import validate_readable
from submissions.models import Submission
from tests import submission_helpers as files
from tests.conftest import submission_form_data

pytestmark = pytest.mark.django_db

NEXT_YEAR = (datetime.date.today() + datetime.timedelta(days=365)).isoformat()
TEXT = "Twelve guardsmen refused to cross the border on 26 February."


def eleven_sources():
    rows = {"sources-TOTAL_FORMS": "11"}
    for n in range(11):
        rows[f"sources-{n}-url"] = f"https://example.org/news/{n}"
    return rows


def truncated_jpeg():
    data = files.jpeg_with_metadata()
    return data[: len(data) // 2]


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200

# id, POST overrides, files, the field whose block shows the message, part of the message
CASES = [
    ("nul-byte", {"what_happened": "Refused\x00 to go"}, None, "what_happened", "Null characters"),
    ("200-kb-text", {"what_happened": "x" * 200_000}, None, "what_happened", "shorten the text"),
    ("invalid-link", {"sources-0-url": "not a link"}, None, "sources-0-url", "http:// or https://"),
    (
        "javascript-link",
        {"sources-0-url": "javascript:alert(document.cookie)"},
        None,
        "sources-0-url",
        "http:// or https://",
    ),
    ("future-date", {"event_date": NEXT_YEAR}, None, "event_date", "in the future"),
    (
        "future-source-date",
        {"sources-0-published_on": NEXT_YEAR},
        None,
        "sources-0-published_on",
        "in the future",
    ),
    ("exe-named-jpg", {}, ("photo.jpg", EXE), "attachments", "is not a JPEG, PNG or WebP"),
    ("truncated-jpeg", {}, ("photo.jpg", None), "attachments", "damaged or incomplete"),
    ("decompression-bomb", {}, ("map.png", "bomb"), "attachments", "over 40 megapixels"),
    ("svg", {}, ("drawing.svg", SVG), "attachments", "is not a JPEG, PNG or WebP"),
    ("html", {}, ("page.html", HTML), "attachments", "is not a JPEG, PNG or WebP"),
    ("gif", {}, ("anim.gif", b"GIF89a\x01\x00\x01\x00"), "attachments", "is not a JPEG"),
    ("path-in-file-name", {}, ("../../x", EXE), "attachments", "is not a JPEG, PNG or WebP"),
    ("rlo-in-file-name", {}, ("scan\u202egpj.exe", EXE), "attachments", "is not a JPEG"),
    ("eleven-sources", eleven_sources(), None, "sources", "At most 10 sources"),
    ("30-mb-file", {}, ("huge.jpg", "30mb"), "attachments", "larger than 10"),
    ("no-consent", {"consent_to_publish": None}, None, "consent_to_publish", "Please tick the box"),
    ("no-text", {"what_happened": ""}, None, "what_happened", "Please tell us what happened"),
    ("no-relation", {"relation": None}, None, "relation", "Please say how you know"),
    ("honeypot-filled", {"website": "http://spam.example"}, None, "website", "leave this field"),
]


def file_content(kind):
    if kind is None:
        return truncated_jpeg()
    if kind == "bomb":
        return files.decompression_bomb()
    if kind == "30mb":
        return files.jpeg_with_metadata() + b"\x00" * (30 * 1024 * 1024)
    return kind


def message_area(html, field):
    if field == "sources":
        return html[html.index('<fieldset id="sources">') :]
    if field == "website":
        return html[html.index('class="hp-field"') :]
    return files.field_block(html, field)


def assert_other_answers_kept(html, changed):
    page = htmllib.unescape(html)
    if not any(key in changed for key in ("what_happened",)):
        assert TEXT in page
    assert 'value="Kharkiv oblast"' in page
    assert 'value="military unit 3723"' in page
    assert 'value="12"' in page
    assert 'value="telegram @example_contact"' in page
    assert 'value="rosgvardia_omon" selected' in page
    assert files.is_checked(page, "outcomes", "dismissed")
    assert files.is_checked(page, "outcomes", "court_rejected")
    assert not files.is_checked(page, "outcomes", "sent_back")
    if "sources-0-url" not in changed and "sources-TOTAL_FORMS" not in changed:
        assert 'value="https://example.org/news/guardsmen"' in page
    if "relation" not in changed:
        assert files.is_checked(page, "relation", "relative")


@pytest.mark.parametrize(
    ("overrides", "upload", "field", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_input_gives_the_form_back_with_a_message_and_keeps_every_other_answer(
    client, overrides, upload, field, message
):
    data = submission_form_data(**overrides)
    if upload:
        name, kind = upload
        data["attachments"] = [files.upload(name, file_content(kind))]

    response = client.post("/submit/", data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "receipt-code" not in html
    assert "Nothing was sent yet." in html
    assert message.lower() in htmllib.unescape(message_area(html, field)).lower()
    assert_other_answers_kept(html, overrides)
    if upload:
        assert "please choose them again" in html
    assert Submission.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "label"), [(b"\xed\xa0\x80", "lone surrogate"), (b"\xff\xfe\xfa", "invalid UTF-8")]
)
def test_unreadable_bytes_in_the_text_give_the_form_back(client, raw, label):
    body = encode_multipart(BOUNDARY, submission_form_data(what_happened="Refused PLACEHOLDER"))
    body = body.replace(b"PLACEHOLDER", raw)

    response = client.generic("POST", "/submit/", body, content_type=MULTIPART_CONTENT)

    assert response.status_code == 200, label
    html = response.content.decode()
    block = files.field_block(html, "what_happened")
    assert "could not be read" in block
    assert "Refused \ufffd" in block  # the text is given back, the unreadable part marked
    assert_other_answers_kept(html, {"what_happened"})
    assert Submission.objects.count() == 0


def test_a_lone_surrogate_is_refused_by_the_text_validator():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        validate_readable("broken \ud800 text")
    assert error.value.code == "unreadable"
    validate_readable("Обычный текст, ordinary text, звичайний текст")


def test_six_files_are_too_many(client):
    uploads = [files.upload(f"{n}.jpg", files.jpeg_with_metadata()) for n in range(6)]
    response = client.post("/submit/", submission_form_data(attachments=uploads))
    assert "at most 5 files" in files.field_block(response.content.decode(), "attachments")
    assert Submission.objects.count() == 0


def test_files_over_25_mb_together_are_refused(client, settings):
    settings.SUBMISSION_MAX_FILE_SIZE = 1000
    settings.SUBMISSION_MAX_TOTAL_UPLOAD = 1500
    uploads = [files.upload(f"{n}.pdf", files.pdf() + b" " * 700) for n in range(2)]
    response = client.post("/submit/", submission_form_data(attachments=uploads))
    assert "larger than" in files.field_block(response.content.decode(), "attachments")
    assert Submission.objects.count() == 0


def test_a_source_row_with_only_a_date_asks_for_a_link_or_outlet(client):
    data = submission_form_data(**{"sources-1-published_on": "2022-03-01"})
    response = client.post("/submit/", data)
    assert "the link or the name of the outlet" in response.content.decode()
    assert Submission.objects.count() == 0
