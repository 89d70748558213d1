"""Hostile uploads: names that try to leave the upload folder or disguise a file, files that
are not what they claim, and polyglots that are an image and something else at once.

Names are sent in a hand-made multipart body: the test client would cut the path off a file
name itself, and a browser under an attacker's control does not."""

import io
import re
import zlib
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image

from submissions.models import Attachment, Submission
from tests import pdf_helpers
from tests import submission_helpers as files
from tests.conftest import submission_form_data

pytestmark = pytest.mark.django_db

BOUNDARY = "adversarial-boundary-7f3a"
STORED_NAME = re.compile(r"^submissions/[0-9a-f]{32}\.(jpg|png|webp|pdf)$")


def multipart(fields, uploads):
    """A multipart/form-data body with the file names exactly as given (bytes)."""
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(f'Content-Disposition: form-data; name="{name}"\r\n\r\n{item}'.encode())
    for filename, content, content_type in uploads:
        head = b'Content-Disposition: form-data; name="attachments"; filename="' + filename
        head += f'"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
        parts.append(head + content)
    body = b"".join(f"--{BOUNDARY}\r\n".encode() + part + b"\r\n" for part in parts)
    return body + f"--{BOUNDARY}--\r\n".encode()


def send(client, *uploads):
    """Post the report form with these (filename, content, content type) files."""
    body = multipart(submission_form_data(), uploads)
    return client.post(
        reverse("submissions:submit"),
        body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )


def files_on_disk(settings):
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def accepted(response):
    return "receipt-code" in response.content.decode()


def stored_bytes(attachment):
    with attachment.file.open("rb") as stored:
        return stored.read()


# --- names ---------------------------------------------------------------------------------

HOSTILE_NAMES = {
    "parent folders": b"../../etc/passwd.jpg",
    "windows parent folders": b"..\\..\\..\\windows\\win.ini.jpg",
    "absolute path": b"/etc/cron.d/evil.jpg",
    "NUL byte": b"evil.php\x00.jpg",
    "right-to-left override": "invoice\u202egpj.exe".encode(),
    "as long as a file system allows": "я".encode() * 123 + b".jpg",
    "hidden file": b".htaccess",
    "script extension": b"shell.jpg.php",
    "cyrillic and spaces": "фото с места.jpeg".encode(),
}


@pytest.mark.parametrize("filename", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_a_hostile_file_name_is_stored_under_a_random_name_inside_the_upload_folder(
    client, settings, filename
):
    response = send(client, (filename, files.jpeg_with_metadata(), "image/jpeg"))

    assert accepted(response)
    attachment = Attachment.objects.get()
    assert STORED_NAME.match(attachment.file.name), attachment.file.name
    assert attachment.file.name.endswith(".jpg")  # from the content, never from the name
    media = Path(settings.MEDIA_ROOT).resolve()
    assert Path(attachment.file.path).resolve().is_relative_to(media)
    assert files_on_disk(settings) == [attachment.file.name]


@pytest.mark.parametrize("filename", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_the_moderators_download_never_carries_the_senders_file_name(
    client, moderator, settings, filename
):
    from django.test import Client

    from tests.conftest import log_in

    send(client, (filename, files.pdf(), "application/pdf"))
    attachment = Attachment.objects.get()
    moderator_client = Client()
    log_in(moderator_client, moderator)

    response = moderator_client.get(
        reverse("moderation:attachment", args=[attachment.submission_id, attachment.pk])
    )

    disposition = response["Content-Disposition"]
    assert response.status_code == 200
    assert f'filename="submission-{attachment.submission_id}-{attachment.pk}.pdf"' in disposition
    assert disposition.startswith("attachment")


def test_a_name_longer_than_any_file_system_allows_is_a_bad_request_and_stores_nothing(
    client, settings
):
    response = send(client, (b"A" * 5000 + b".jpg", files.jpeg_with_metadata(), "image/jpeg"))

    assert response.status_code == 400
    assert not Submission.objects.exists()
    assert files_on_disk(settings) == []


def test_a_name_that_tries_to_rename_the_field_stores_no_file_and_changes_no_answer(
    client, settings
):
    response = send(client, (b'x.jpg"; name="contact', files.jpeg_with_metadata(), "image/jpeg"))

    from submissions.crypto import decrypt_contact

    assert accepted(response)
    submission = Submission.objects.get()
    assert decrypt_contact(submission.contact_encrypted) == "telegram @example_contact"
    assert not Attachment.objects.exists()
    assert files_on_disk(settings) == []


# --- files that are not what they say ------------------------------------------------------


def pdf(*objects, root=b"1 0 R"):
    body = b"\n".join(objects)
    return b"%PDF-1.7\n" + body + b"\ntrailer << /Root " + root + b" >>\n%%EOF\n"


CATALOG = b"1 0 obj << /Type /Catalog /Pages 2 0 R /OpenAction 3 0 R >> endobj"
PAGES = b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj"
SCRIPT = b"<script>alert(document.domain)</script>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">' + SCRIPT + b"</svg>"


def compressed_stream(content):
    data = zlib.compress(content)
    head = f"4 0 obj << /Type /ObjStm /N 1 /First 0 /Length {len(data)} /Filter /FlateDecode >>"
    return head.encode() + b"\nstream\n" + data + b"\nendstream endobj"


REFUSED = {
    "svg with a script": (b"drawing.svg", SVG, "image/svg+xml"),
    "svg named as a jpeg": (b"photo.jpg", SVG, "image/jpeg"),
    "html named as a jpeg": (b"photo.jpg", b"<html><body>" + SCRIPT, "image/jpeg"),
    "html named as a pdf": (b"scan.pdf", b"<!DOCTYPE html>" + SCRIPT, "application/pdf"),
    "gif and javascript polyglot": (
        b"photo.gif",
        b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;alert(1);//" + SCRIPT,
        "image/gif",
    ),
    "jpeg header then html": (b"photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF" + SCRIPT, "image/jpeg"),
    "png header then html": (b"photo.png", b"\x89PNG\r\n\x1a\n" + SCRIPT, "image/png"),
    "pdf header then html": (b"scan.pdf", b"%PDF-1.4\n" + SCRIPT, "application/pdf"),
    "zip archive": (
        b"report.docx",
        b"PK\x03\x04\x14\x00\x00\x00" + b"\x00" * 40,
        "application/zip",
    ),
    "windows program": (b"photo.jpg", b"MZ\x90\x00\x03" + b"\x00" * 60, "image/jpeg"),
    "pdf that runs javascript when opened": (
        b"scan.pdf",
        pdf(CATALOG, PAGES, b"3 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj"),
        "application/pdf",
    ),
    "pdf with a javascript name in hex escapes": (
        b"scan.pdf",
        pdf(CATALOG, PAGES, b"3 0 obj << /S /J#61vaScript /J#53 (app.alert(1)) >> endobj"),
        "application/pdf",
    ),
    "pdf that starts a program": (
        b"scan.pdf",
        pdf(CATALOG, PAGES, b"3 0 obj << /S /Launch /F (cmd.exe) >> endobj"),
        "application/pdf",
    ),
    "pdf with an embedded file": (
        b"scan.pdf",
        pdf(
            b"1 0 obj << /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 3 0 R >> >> endobj",
            PAGES,
            b"3 0 obj << /Names [(a.exe) 5 0 R] >> endobj",
        ),
        "application/pdf",
    ),
    "pdf with javascript inside a compressed object stream": (
        b"scan.pdf",
        pdf(CATALOG, PAGES, compressed_stream(b"3 0 << /S /JavaScript /JS (app.alert(1)) >>")),
        "application/pdf",
    ),
}


@pytest.mark.parametrize("upload", REFUSED.values(), ids=REFUSED.keys())
def test_a_file_that_is_not_a_plain_image_or_document_is_refused(client, settings, upload):
    response = send(client, upload)

    content = response.content.decode()
    assert response.status_code == 200
    assert not accepted(response)
    assert "File 1:" in content
    assert not Submission.objects.exists()
    assert not Attachment.objects.exists()
    assert files_on_disk(settings) == []


def test_a_plain_pdf_with_compressed_page_content_is_still_accepted(client):
    content = zlib.compress(b"BT /F1 12 Tf 72 712 Td (Order of dismissal) Tj ET")
    page = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content)
    document = pdf_helpers.build(objects={4: page + content + b"\nendstream"})

    response = send(client, (b"order.pdf", document, "application/pdf"))

    assert accepted(response)
    assert Attachment.objects.get().kind == Attachment.Kind.PDF


# --- polyglots that are valid images: rebuilt from their pixels, the rest is gone --------


def image_bytes(image_format, **options):
    output = io.BytesIO()
    files.picture().save(output, image_format, **options)
    return output.getvalue()


def png_with_text_chunk():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    return image_bytes("PNG", pnginfo=info)


def zip_archive():
    import zipfile

    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("payload.html", SCRIPT)
    return output.getvalue()


NEUTRALISED = {
    "jpeg with html appended": (b"photo.jpg", image_bytes("JPEG") + SCRIPT, "image/jpeg"),
    "jpeg with html in its comment": (
        b"photo.jpg",
        image_bytes("JPEG", comment=SCRIPT),
        "image/jpeg",
    ),
    "png with a zip appended": (b"photo.png", image_bytes("PNG") + zip_archive(), "image/png"),
    "png with html in a text chunk": (b"photo.png", png_with_text_chunk(), "image/png"),
    "webp with html appended": (b"photo.webp", image_bytes("WEBP") + SCRIPT, "image/webp"),
}


@pytest.mark.parametrize("upload", NEUTRALISED.values(), ids=NEUTRALISED.keys())
def test_a_polyglot_image_is_stored_rebuilt_without_its_hidden_part(client, settings, upload):
    _name, original, _type = upload
    assert SCRIPT in original  # the hidden part is there before

    response = send(client, upload)

    assert accepted(response)
    attachment = Attachment.objects.get()
    data = stored_bytes(attachment)
    assert b"<script" not in data
    assert b"PK\x03\x04" not in data
    assert b"payload.html" not in data
    assert data != original
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.size == (64, 48)
    assert files_on_disk(settings) == [attachment.file.name]


def test_a_jpeg_with_appended_html_ends_where_the_image_ends(client):
    send(client, NEUTRALISED["jpeg with html appended"])

    data = stored_bytes(Attachment.objects.get())

    assert data.endswith(b"\xff\xd9")
