"""Uploaded images are stored rebuilt from their pixels, with no metadata left."""

import io
import re

import pytest
from PIL import Image

from submissions.models import Attachment
from tests import submission_helpers as files
from tests.conftest import submission_form_data

pytestmark = pytest.mark.django_db


def send(client, *uploads):
    response = client.post("/submit/", submission_form_data(attachments=list(uploads)))
    assert response.status_code == 200
    assert "receipt-code" in response.content.decode(), "the report was not accepted"
    return list(Attachment.objects.order_by("id"))


def stored_bytes(attachment):
    with attachment.file.open("rb") as stored:
        return stored.read()


def assert_no_secret(data):
    assert files.SECRET.encode() not in data
    assert b"Exif" not in data
    assert b"adobe:ns:meta" not in data
    assert b"CanaryPhone" not in data


def test_a_gps_tagged_jpeg_is_stored_without_any_metadata(client):
    original = files.jpeg_with_metadata()
    assert files.SECRET.encode() in original  # the comment segment, in clear

    [attachment] = send(client, files.upload("IMG_0001.jpg", original, "image/jpeg"))

    data = stored_bytes(attachment)
    assert_no_secret(data)
    # Only JFIF (APP0), quantisation and Huffman tables, the frame header and the scan.
    assert set(files.jpeg_segments(data)) <= {0xE0, 0xDB, 0xC0, 0xC4, 0xDA}
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert not set(image.info) & {"exif", "xmp", "comment", "icc_profile", "photoshop"}
    assert len(image.getexif()) == 0
    assert image.size == (64, 48)
    assert image.getpixel((5, 5))[2] > 150 and image.getpixel((60, 5))[0] > 150  # blue | red
    assert attachment.kind == Attachment.Kind.IMAGE
    assert attachment.content_type == "image/jpeg"
    assert attachment.metadata_removed is True
    assert attachment.size == len(data)


def test_a_png_loses_its_text_chunks_exif_and_colour_profile(client):
    [attachment] = send(client, files.upload("scan.png", files.png_with_metadata(), "image/png"))
    data = stored_bytes(attachment)
    assert_no_secret(data)
    assert set(files.png_chunks(data)) <= {"IHDR", "IDAT", "IEND"}
    assert Image.open(io.BytesIO(data)).info == {}


def test_a_webp_loses_its_exif_xmp_and_colour_profile(client):
    [attachment] = send(client, files.upload("photo.webp", files.webp_with_metadata()))
    data = stored_bytes(attachment)
    assert_no_secret(data)
    assert b"ICCP" not in data and b"XMP " not in data and b"EXIF" not in data
    image = Image.open(io.BytesIO(data))
    assert image.format == "WEBP"
    assert not set(image.info) & {"exif", "xmp", "icc_profile"}


def test_a_sideways_photo_is_stored_upright_without_its_orientation_tag(client):
    exif = files.gps_exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    output = io.BytesIO()
    files.picture(size=(64, 48)).save(output, "JPEG", exif=exif)

    [attachment] = send(client, files.upload("rotated.jpg", output.getvalue()))

    image = Image.open(io.BytesIO(stored_bytes(attachment)))
    assert image.size == (48, 64)
    assert len(image.getexif()) == 0


def test_a_pdf_is_stored_rewritten_and_flagged_as_cleaned(client):
    # tests/test_pdf_rewriting.py checks what the rewriting removes.
    [attachment] = send(client, files.upload("ruling.pdf", files.pdf(), "application/pdf"))
    assert stored_bytes(attachment).startswith(b"%PDF-")
    assert stored_bytes(attachment) != files.pdf()
    assert attachment.kind == Attachment.Kind.PDF
    assert attachment.metadata_removed is True


def test_files_get_random_names_from_their_content_never_from_the_sender(client, settings):
    uploads = [
        files.upload("../../etc/passwd.png", files.jpeg_with_metadata()),
        files.upload("Ivan Petrov\u202egpj.exe", files.png_with_metadata()),
    ]
    first, second = send(client, *uploads)

    assert re.fullmatch(r"submissions/[0-9a-f]{32}\.jpg", first.file.name)
    assert re.fullmatch(r"submissions/[0-9a-f]{32}\.png", second.file.name)
    media = settings.MEDIA_ROOT.resolve()
    for attachment in (first, second):
        assert media in (media / attachment.file.name).resolve().parents
        assert (media / attachment.file.name).is_file()
        assert (media / attachment.file.name).stat().st_mode & 0o077 == 0  # owner only
    stored_names = {path.name for path in media.rglob("*") if path.is_file()}
    assert not any("passwd" in name or "Petrov" in name for name in stored_names)


def test_uploads_have_no_public_url(client):
    [attachment] = send(client, files.upload("a.jpg", files.jpeg_with_metadata()))
    with pytest.raises(ValueError, match="no public URL"):
        attachment.file.url  # noqa: B018
    assert client.get(f"/media/{attachment.file.name}").status_code == 404
    assert client.get(f"/{attachment.file.name}").status_code == 404


def test_several_files_are_accepted_up_to_the_limit(client):
    uploads = [files.upload(f"{n}.jpg", files.jpeg_with_metadata()) for n in range(5)]
    assert len(send(client, *uploads)) == 5


def test_a_decompression_bomb_is_refused_before_it_is_decoded(client):
    bomb = files.decompression_bomb()
    assert len(bomb) < 20_000

    response = client.post(
        "/submit/", submission_form_data(attachments=[files.upload("small.png", bomb)])
    )

    assert response.status_code == 200
    assert "over 40 megapixels" in response.content.decode()
    assert Attachment.objects.count() == 0
