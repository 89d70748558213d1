"""Files on an S3-compatible object store (S3_BUCKET): a real SeaweedFS, never a mock.

Attachments and source snapshots go to a private bucket through the storage API; only
cleaned bytes ever reach it; moderators get the files only through the permission-checked
views, with the same headers as from the local disk; the store gives no file an address.
"""

import hashlib
import io
import json
import urllib.error
import urllib.request
import uuid
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from moderation import services as moderation
from submissions.models import Attachment, Submission
from tests import pdf_helpers as pdfs
from tests import submission_helpers as files
from tests.conftest import make_submission, submission_form_data
from tests.source_server import PAGE
from tracker.preservation.models import SourceSnapshot
from tracker.storage import SNAPSHOTS

pytestmark = pytest.mark.django_db


def send(client, *uploads):
    response = client.post("/submit/", submission_form_data(attachments=list(uploads)))
    assert "receipt-code" in response.content.decode(), "the report was not accepted"
    return Submission.objects.get()


def stored_files(folder):
    return [path for path in Path(folder).rglob("*") if path.is_file()]


def test_a_photo_sent_with_a_report_is_kept_in_the_bucket_without_its_metadata(
    client, s3_files, settings
):
    submission = send(client, files.upload("IMG_0001.jpg", files.jpeg_with_metadata()))

    attachment = submission.attachments.get()
    assert s3_files.keys() == [attachment.file.name]
    assert attachment.file.name.startswith("submissions/")
    data = s3_files.read(attachment.file.name)
    assert files.SECRET.encode() not in data and b"Exif" not in data
    assert len(data) == attachment.size
    # Nothing on this server's disk.
    assert stored_files(settings.MEDIA_ROOT) == []


def test_nothing_uncleaned_ever_reaches_the_store_not_even_for_a_moment(
    client, s3_files, object_store
):
    """SeaweedFS keeps what it was sent in its volume files until they are compacted,
    even when the object is deleted: the original bytes would be found there."""
    # The search can find what was sent: a control object is there, in clear.
    control = f"CONTROL-{uuid.uuid4().hex}".encode()
    s3_files.put("control.jpg", b"\xff\xd8\xff" + control * 50)
    assert object_store.data_contains(control)

    send(
        client,
        files.upload("IMG_0001.jpg", files.jpeg_with_metadata()),
        files.upload("scan.png", files.png_with_metadata(), "image/png"),
    )
    # And a file refused as unreadable is not stored at all.
    response = client.post(
        "/submit/",
        submission_form_data(attachments=[files.upload("big.png", files.decompression_bomb())]),
    )
    assert "receipt-code" not in response.content.decode()

    assert Attachment.objects.count() == 2
    assert len(s3_files.keys()) == 3  # the control and the two cleaned files
    assert not object_store.data_contains(files.SECRET.encode())


def test_a_hostile_pdf_reaches_the_store_only_rewritten(client, s3_files, object_store):
    script = b"app.alert('CANARY-s3');"
    original = pdfs.build(catalog_extra=b"/OpenAction << /S /JavaScript /JS (" + script + b") >>")

    submission = send(client, files.upload("ruling.pdf", original, "application/pdf"))

    [key] = s3_files.keys()
    assert key == submission.attachments.get().file.name
    data = s3_files.read(key)
    assert data.startswith(b"%PDF") and b"CANARY-s3" not in data
    assert b"/JavaScript" not in data
    assert not object_store.data_contains(b"CANARY-s3")


def test_a_moderator_opens_the_photo_only_through_the_checked_view(
    client, moderator_client, s3_files
):
    submission = send(moderator_client, files.upload("IMG_0001.jpg", files.jpeg_with_metadata()))
    attachment = submission.attachments.get()
    url = reverse("moderation:attachment", args=[submission.pk, attachment.pk])

    response = moderator_client.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == s3_files.read(attachment.file.name)
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "no-store" in response["Cache-Control"]
    client.cookies.clear()
    assert client.get(url).status_code == 302  # anonymous: to the login page
    # The bucket is private: the store itself refuses anyone without the key...
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(s3_files.url(attachment.file.name))  # noqa: S310
    assert refused.value.code == 403
    # ...and the app never makes an address for a file, public or pre-signed.
    with pytest.raises(ValueError, match="no public URL"):
        attachment.file.url  # noqa: B018


def test_a_file_missing_from_the_store_is_a_404_not_an_error(moderator_client, s3_files):
    submission = make_submission()
    attachment = Attachment(submission=submission, kind="image", content_type="image/png", size=3)
    attachment.file.save("x.png", ContentFile(b"png"), save=True)
    attachment.file.storage.delete(attachment.file.name)

    url = reverse("moderation:attachment", args=[submission.pk, attachment.pk])
    assert moderator_client.get(url).status_code == 404


@pytest.fixture
def published(moderator, source_server, region, s3_files):
    submission = make_submission(
        home_region=region, sources=[{"url": source_server.url("/page"), "outlet": "Outlet A"}]
    )
    moderation.claim(submission, moderator=moderator)
    moderation.verify_source(
        submission.sources.get(),
        moderator=moderator,
        reachable=True,
        supports_report=True,
        independent=True,
        note="Matches.",
    )
    return moderation.publish(
        submission,
        moderator=moderator,
        case_data={
            "title_en": "Refused",
            "summary_en": "They refused.",
            "refusal_kind": "refused_deploy",
            "confidence": "reported",
        },
    )


def test_a_source_snapshot_is_kept_in_the_bucket_and_read_back_for_evidence(
    moderator_client, published, s3_files, settings
):
    snapshot = SourceSnapshot.objects.get(source__case=published, outcome="captured")
    assert s3_files.keys() == [snapshot.content.name]
    assert snapshot.content.name.startswith("snapshots/")
    assert s3_files.read(snapshot.content.name) == PAGE

    raw = moderator_client.get(reverse("moderation:snapshot_raw", args=[snapshot.pk]))
    assert b"".join(raw.streaming_content) == PAGE
    assert raw["Content-Security-Policy"].startswith("sandbox")
    assert raw["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in raw["Cache-Control"]

    response = moderator_client.get(reverse("moderation:evidence_bundle", args=[published.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    path = f"snapshots/source-{snapshot.source_id}/snapshot-{snapshot.pk}.bin"
    assert archive.read(path) == PAGE
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["files"][path]["recorded_sha256"] == hashlib.sha256(PAGE).hexdigest()
    assert manifest["files"][path]["matches_recorded"] is True
    assert stored_files(settings.MEDIA_ROOT) == []


def test_two_snapshots_with_the_same_bytes_keep_an_object_each(s3_files):
    """Deleting one (a capture rolled back) must not take the other's bytes with it."""
    first = SNAPSHOTS.save("snapshots/2026/12/abc", ContentFile(b"same bytes"))
    second = SNAPSHOTS.save("snapshots/2026/12/abc", ContentFile(b"same bytes"))

    assert first != second
    SNAPSHOTS.delete(first)
    assert s3_files.keys() == [second]
    assert s3_files.read(second) == b"same bytes"
