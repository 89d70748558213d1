import io
import json

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError

from submissions.models import Attachment, Submission
from tests.conftest import make_case


@pytest.fixture
def stored_data(region, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_case(home_region=region, sources=[{"outlet": "Mediazona"}, {"outlet": "Meduza"}])
    submission = Submission.objects.create(
        receipt_hash="x" * 64, language="ru", what_happened="text", relation="self"
    )
    attachment = Attachment(
        submission=submission, kind="pdf", content_type="application/pdf", size=4
    )
    attachment.file.save("report.pdf", ContentFile(b"%PDF"), save=True)
    return attachment


def run(command, *args):
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restores_with_the_same_cases_sources_submissions_and_files(stored_data, tmp_path):
    backup = tmp_path / "backup"
    assert "1 cases, 2 sources" in run("backup", str(backup))
    output = run("verify_restore", str(backup))
    assert "Restore verified: 1 cases, 2 sources" in output
    assert "1 submissions" in output
    assert "1 files" in output


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_verify_restore_notices_a_missing_file(stored_data, tmp_path):
    backup = tmp_path / "backup"
    run("backup", str(backup))
    manifest = json.loads((backup / "manifest.json").read_text())
    manifest["files"]["submissions/lost.jpg"] = "0" * 64
    (backup / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError) as error:
        run("verify_restore", str(backup))
    assert "does not match" in str(error.value)


@pytest.mark.django_db
def test_backup_on_sqlite_explains_what_to_do_instead(settings, tmp_path):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the SQLite message is only given on SQLite")
    with pytest.raises(CommandError) as error:
        run("backup", str(tmp_path / "backup"))
    assert "need PostgreSQL" in str(error.value)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_client_hash_key_and_its_counters_stay_out_of_backups(stored_data, tmp_path, rf):
    import subprocess

    from tracker import counters, privacy
    from tracker.counters import Counter, SharedSecret

    counters._known_secrets.clear()  # made afresh in this database
    privacy.client_hash(rf.post("/submit/", REMOTE_ADDR="203.0.113.8"))
    Counter.objects.create(key="submit:abc:1", count=3, expires_at="2100-01-01T00:00Z")
    key = SharedSecret.objects.get().value
    backup = tmp_path / "backup"
    run("backup", str(backup))

    listing = subprocess.run(
        ["pg_restore", "--list", str(backup / "database.dump")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "TABLE DATA public tracker_case" in listing
    assert "TABLE DATA public tracker_sharedsecret" not in listing
    assert "TABLE DATA public tracker_counter" not in listing
    assert key.encode() not in (backup / "database.dump").read_bytes()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_takes_the_files_from_the_object_store(s3_files, stored_data, tmp_path):
    import tarfile

    backup = tmp_path / "backup"
    assert "1 files" in run("backup", str(backup))

    manifest = json.loads((backup / "manifest.json").read_text())
    assert list(manifest["files"]) == s3_files.keys() == [stored_data.file.name]
    with tarfile.open(backup / "media.tar.gz") as archive:
        assert archive.extractfile(f"media/{stored_data.file.name}").read() == b"%PDF"
    assert "1 files" in run("verify_restore", str(backup))
