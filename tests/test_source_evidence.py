"""Moderators read a snapshot safely (as text, or the raw bytes in a sandbox) and download
a case's evidence bundle: case JSON, snapshots, SHA-256 manifest, verification notes and
audit trail."""

import hashlib
import io
import json
import zipfile

import pytest
from django.urls import reverse

from moderation import services as moderation
from moderation.models import AuditEvent
from tests.conftest import log_in, make_submission, make_user
from tests.source_server import PAGE
from tracker.preservation.models import SourceSnapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(moderator, source_server, region):
    """A case published from a report whose two sources a moderator verified (one page
    captured, one whose capture failed)."""
    submission = make_submission(
        home_region=region,
        sources=[
            {"url": source_server.url("/page"), "outlet": "Outlet A"},
            {"url": source_server.url("/missing"), "outlet": "Outlet B"},
        ],
    )
    moderation.claim(submission, moderator=moderator)
    for source, note in zip(
        submission.sources.order_by("pk"), ["Matches.", "Was a 404."], strict=True
    ):
        moderation.verify_source(
            source,
            moderator=moderator,
            reachable=True,
            supports_report=True,
            independent=True,
            note=note,
        )
    return moderation.publish(
        submission,
        moderator=moderator,
        case_data={
            "title_en": "Refused",
            "summary_en": "They refused.",
            "refusal_kind": "refused_deploy",
            "confidence": "confirmed",
        },
    )


def captured(case):
    return SourceSnapshot.objects.get(source__case=case, outcome="captured")


def test_a_moderator_reads_the_snapshot_as_text(moderator_client, published):
    snapshot = captured(published)

    response = moderator_client.get(reverse("moderation:snapshot", args=[snapshot.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Двенадцать росгвардейцев отказались" in content
    assert snapshot.sha256 in content
    assert "<script>document.title" not in content
    assert "no-store" in response["Cache-Control"]


def test_the_raw_bytes_are_served_in_a_sandbox_that_loads_nothing(moderator_client, published):
    snapshot = captured(published)

    response = moderator_client.get(reverse("moderation:snapshot_raw", args=[snapshot.pk]))

    assert b"".join(response.streaming_content) == PAGE
    policy = response["Content-Security-Policy"]
    assert policy.startswith("sandbox") and "allow-scripts" not in policy
    assert "default-src 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("name", ["snapshot", "snapshot_raw"])
def test_snapshots_are_for_moderators_only(client, published, name):
    url = reverse(f"moderation:{name}", args=[captured(published).pk])
    assert client.get(url).status_code == 302
    log_in(client, make_user("reader"))
    assert client.get(url).status_code == 403


def bundle(client, case):
    response = client.get(reverse("moderation:evidence_bundle", args=[case.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_evidence_bundle_is_a_chain_of_custody(moderator_client, moderator, published):
    archive = bundle(moderator_client, published)

    snapshot = captured(published)
    names = set(archive.namelist())
    raw = f"snapshots/source-{snapshot.source_id}/snapshot-{snapshot.pk}.bin"
    assert {"case.json", "sources.json", "verification.json", "audit.json", raw} <= names
    assert archive.read(raw) == PAGE
    # Every file is in SHA256SUMS with its real hash (as `sha256sum -c` would check).
    sums = dict(
        reversed(line.split("  ", 1)) for line in archive.read("SHA256SUMS").decode().splitlines()
    )
    assert set(sums) == names - {"SHA256SUMS", "manifest.json"}
    for name, digest in sums.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["generated_by"] == moderator.get_username()
    assert manifest["files"][raw]["recorded_sha256"] == hashlib.sha256(PAGE).hexdigest()
    assert manifest["files"][raw]["matches_recorded"] is True

    case_json = json.loads(archive.read("case.json"))
    assert (case_json["id"], case_json["title_en"]) == (published.pk, "Refused")
    sources = {source["outlet"]: source for source in json.loads(archive.read("sources.json"))}
    assert sources["Outlet A"]["snapshots"][0]["sha256"] == snapshot.sha256
    assert sources["Outlet B"]["snapshots"][0]["outcome"] == "failed"
    notes = [row["note"] for row in json.loads(archive.read("verification.json"))]
    assert sorted(notes) == ["Matches.", "Was a 404."]
    actions = [event["action"] for event in json.loads(archive.read("audit.json"))]
    assert actions == ["claim", "verify_source", "verify_source", "publish"]
    assert AuditEvent.objects.count() == 4


def test_a_changed_snapshot_file_shows_in_the_manifest(moderator_client, published):
    snapshot = captured(published)
    with open(snapshot.content.path, "wb") as handle:
        handle.write(b"tampered")

    manifest = json.loads(bundle(moderator_client, published).read("manifest.json"))

    entry = next(entry for name, entry in manifest["files"].items() if name.endswith(".bin"))
    assert entry["matches_recorded"] is False
    assert entry["sha256"] == hashlib.sha256(b"tampered").hexdigest()


def test_the_bundle_holds_nothing_of_the_submitter(moderator_client, published):
    submission = published.submissions.get()
    submission.what_happened = "Private account of the relative"
    submission.save()
    archive = bundle(moderator_client, published)
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"Private account of the relative" not in everything
    assert b"refused to go back" not in everything


def test_the_evidence_bundle_is_for_moderators_only(client, published):
    url = reverse("moderation:evidence_bundle", args=[published.pk])
    assert client.get(url).status_code == 302
    log_in(client, make_user("reader"))
    assert client.get(url).status_code == 403


def test_administrators_can_look_at_snapshots_but_not_change_them(client, published):
    admin = make_user("admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    log_in(client, admin)
    snapshot = captured(published)

    listing = client.get("/admin/preservation/sourcesnapshot/")
    detail = client.get(f"/admin/preservation/sourcesnapshot/{snapshot.pk}/change/")

    assert listing.status_code == 200 and snapshot.sha256 in listing.content.decode()
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content
    assert client.get("/admin/preservation/sourcesnapshot/add/").status_code == 403
