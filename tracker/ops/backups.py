"""Backups: a pg_dump of the database plus the uploaded files, and a restore check.

A backup folder holds `database.dump` (pg_dump custom format), `media.tar.gz` (every stored
file: attachments and snapshots, read through the storage API from the local disk or the
object store, under `media/` with their stored names) and `manifest.json` (row counts and
file checksums at backup time).
`verify_restore` restores the dump into a fresh, temporary database and the files into a
temporary folder, and compares both with the manifest.
"""

import hashlib
import io
import json
import os
import secrets
import subprocess  # noqa: S404 - pg_dump and pg_restore with fixed arguments
import tarfile
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg2
from django.conf import settings
from django.core.files.storage import storages
from django.db import connection
from django.utils import timezone

# Tables whose row counts must survive a restore, by what they hold.
COUNTED_TABLES = {
    "cases": "tracker_case",
    "sources": "tracker_source",
    "timeline_events": "tracker_caseevent",
    "submissions": "submissions_submission",
    "submitted_sources": "submissions_submissionsource",
    "attachments": "submissions_attachment",
}


# Where the app keeps files: (STORAGES alias, folder). The names are the same on the disk
# and in the object store (submissions/models.py, tracker/preservation/models.py).
STORED_FOLDERS = (("default", "submissions"), ("snapshots", "snapshots"))


class BackupError(Exception):
    pass


def _database():
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError(
            "Backups use pg_dump and need PostgreSQL (set DATABASE_URL). "
            "For the embedded SQLite database, copy the file while the app is stopped."
        )
    return db


def _pg_env(db):
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _pg_args(db):
    args = []
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    return args


def count_rows(cursor):
    counts = {}
    for label, table in COUNTED_TABLES.items():
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - fixed table names
        counts[label] = cursor.fetchone()[0]
    return counts


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _file_checksums(root):
    root = Path(root)
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): _sha256(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def make_backup(output, progress=print):
    db = _database()
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    dump = output / "database.dump"
    progress(f"Dumping database {db['NAME']} …")
    subprocess.run(
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            # The client hash's daily key and the counters under it stay out of backups: a
            # backup must not let anyone link a counter to a guessed address (privacy.py).
            "--exclude-table-data=tracker_sharedsecret",
            "--exclude-table-data=tracker_counter",
            "--file",
            str(dump),
            *_pg_args(db),
            db["NAME"],
        ],
        env=_pg_env(db),
        check=True,
    )
    progress("Archiving stored files …")
    files = _archive_stored_files(output / "media.tar.gz")
    with connection.cursor() as cursor:
        counts = count_rows(cursor)
    manifest = {
        "created_at": timezone.now().isoformat(),
        "database_sha256": _sha256(dump),
        "counts": counts,
        "files": files,
    }
    (output / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def _stored_names(storage, folder):
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:  # nothing stored there yet (local disk)
        return
    for name in files:
        yield f"{folder}/{name}"
    for directory in directories:
        yield from _stored_names(storage, f"{folder}/{directory}")


def _archive_stored_files(path):
    """Every stored file into a tar.gz under media/, through the storage API; returns
    their checksums. One file at a time in memory: nothing is unpacked on this disk."""
    checksums = {}
    with tarfile.open(path, "w:gz") as archive:
        for alias, folder in STORED_FOLDERS:
            storage = storages[alias]
            for name in sorted(_stored_names(storage, folder)):
                with storage.open(name, "rb") as handle:
                    data = handle.read()
                member = tarfile.TarInfo(f"media/{name}")
                member.size, member.mode, member.mtime = len(data), 0o600, int(time.time())
                archive.addfile(member, io.BytesIO(data))
                checksums[name] = hashlib.sha256(data).hexdigest()
    return checksums


@contextmanager
def _scratch_database(db):
    name = f"restore_check_{secrets.token_hex(6)}"
    admin = psycopg2.connect(
        dbname="postgres",
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def verify_restore(backup, progress=print):
    """Restore `backup` into a scratch database and folder; return a list of differences."""
    db = _database()
    backup = Path(backup)
    manifest = json.loads((backup / "manifest.json").read_text())
    problems = []
    if _sha256(backup / "database.dump") != manifest["database_sha256"]:
        problems.append("database.dump does not match its checksum")
    with _scratch_database(db) as name:
        progress(f"Restoring into scratch database {name} …")
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                name,
                *_pg_args(db),
                str(backup / "database.dump"),
            ],
            env=_pg_env(db),
            check=True,
        )
        restored = psycopg2.connect(
            dbname=name,
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
        )
        try:
            with restored.cursor() as cursor:
                counts = count_rows(cursor)
        finally:
            restored.close()
    for label, expected in manifest["counts"].items():
        if counts.get(label) != expected:
            problems.append(f"{label}: {counts.get(label)} restored, {expected} backed up")
    progress("Unpacking uploaded files …")
    with tempfile.TemporaryDirectory() as scratch:
        with tarfile.open(backup / "media.tar.gz") as archive:
            archive.extractall(scratch, filter="data")
        files = _file_checksums(Path(scratch) / "media")
    if files != manifest["files"]:
        missing = sorted(set(manifest["files"]) - set(files))
        changed = sorted(
            k for k in files if k in manifest["files"] and files[k] != manifest["files"][k]
        )
        problems.append(f"files: {len(missing)} missing, {len(changed)} changed")
    return counts, len(files), problems
