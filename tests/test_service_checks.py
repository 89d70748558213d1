"""Bad configuration of the object store or a read replica stops the app at start with a
clear message (tracker/checks.py), never at the first upload: tested against the real
SeaweedFS of the tests (tests/object_store.py)."""

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tracker.checks import check_object_store

ROOT = Path(django_settings.BASE_DIR)


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def configure(settings, object_store, **overrides):
    for name, value in {**object_store.environment(object_store.bucket), **overrides}.items():
        setattr(settings, name, value)


def messages(errors):
    return [(error.id, error.msg, error.hint) for error in errors]


def test_a_private_bucket_that_takes_the_keys_passes(settings, object_store):
    configure(settings, object_store)
    assert check_object_store() == []


def test_a_bucket_that_does_not_exist_is_named_in_the_error(settings, object_store):
    configure(settings, object_store, S3_BUCKET="no-such-bucket")

    [(code, message, hint)] = messages(check_object_store())

    assert code == "tracker.E101"
    assert message == (
        f"The object store has no bucket 'no-such-bucket' at {object_store.endpoint_url}."
    )
    assert "S3_BUCKET" in hint


def test_keys_the_store_refuses_are_named_in_the_error(settings, object_store):
    configure(settings, object_store, S3_SECRET_ACCESS_KEY="not-the-secret")

    [(code, message, hint)] = messages(check_object_store())

    assert code == "tracker.E101"
    assert message.startswith("The object store refuses the keys for bucket 'refusals'")
    assert "S3_SECRET_ACCESS_KEY" in hint


def test_a_store_that_does_not_answer_is_an_error(settings, object_store):
    configure(settings, object_store, S3_ENDPOINT_URL=f"http://127.0.0.1:{closed_port()}")

    [(code, message, _hint)] = messages(check_object_store())

    assert code == "tracker.E102"
    assert "cannot be reached" in message


def test_a_bucket_anyone_can_list_is_refused(settings, object_store):
    client = object_store.client()
    bucket = object_store.new_bucket()
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["s3:ListBucket", "s3:GetObject"],
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            }
        ],
    }
    client.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    configure(settings, object_store, S3_BUCKET=bucket)

    [(code, message, _hint)] = messages(check_object_store())

    assert code == "tracker.E103"
    assert "Anyone can list" in message


def app_environment(**extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("S3_", "DATABASE_REPLICA"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tracker.settings",
        DJANGO_DEBUG="false",
        SECRET_KEY="service-checks-" + "x" * 40,
        CONTACT_ENCRYPTION_KEYS="ZTJlLW9ubHktbm90LXNlY3JldC1rZXktMDAwMDAwMDA=",
        HTTPS="false",
        **extra,
    )
    return env


def test_gunicorn_stops_at_start_when_the_store_refuses_the_keys(object_store, tmp_path):
    env = app_environment(
        **object_store.environment(object_store.bucket),
        GUNICORN_BIND=f"127.0.0.1:{closed_port()}",
        GUNICORN_WORKERS="1",
        MEDIA_ROOT=str(tmp_path),
    )
    env["S3_SECRET_ACCESS_KEY"] = "not-the-secret"
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))

    result = subprocess.run(
        [gunicorn, "-c", "python:tracker.ops.gunicorn", "tracker.wsgi:application"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "The object store refuses the keys for bucket 'refusals'" in result.stderr


def test_manage_py_stops_when_the_bucket_does_not_exist(object_store):
    env = app_environment(**object_store.environment("no-such-bucket"))

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "tracker.E101" in result.stderr
    assert "The object store has no bucket 'no-such-bucket'" in result.stderr


def test_manage_py_stops_when_a_read_replica_does_not_answer():
    port = closed_port()
    env = app_environment(
        DATABASE_REPLICA_URLS=f"postgres://postgres@127.0.0.1:{port}/refusals_replica"
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "tracker.E104" in result.stderr
    assert f"The read replica replica_1 (127.0.0.1:{port}/refusals_replica) does not" in (
        result.stderr
    )


@pytest.mark.postgres
def test_a_replica_that_answers_passes():
    env = app_environment(DATABASE_REPLICA_URLS=os.environ["DATABASE_URL"])

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr


def test_create_bucket_makes_the_missing_private_bucket_once(settings, object_store):
    import io
    import uuid

    from django.core.management import call_command

    bucket = "made-" + uuid.uuid4().hex[:12]
    configure(settings, object_store, S3_BUCKET=bucket)
    assert [error.id for error in check_object_store()] == ["tracker.E101"]

    first, second = io.StringIO(), io.StringIO()
    call_command("create_bucket", stdout=first)
    call_command("create_bucket", stdout=second)

    assert f"Bucket {bucket} created (private)." in first.getvalue()
    assert f"Bucket {bucket} exists." in second.getvalue()
    assert check_object_store() == []  # there, takes the keys, and is not public


def test_create_bucket_says_when_files_stay_on_the_disk(settings):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.S3_BUCKET = ""
    with pytest.raises(CommandError) as error:
        call_command("create_bucket")
    assert "S3_BUCKET is not set" in str(error.value)
