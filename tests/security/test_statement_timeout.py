"""One pathological query cannot hold a worker: PostgreSQL cancels long statements."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import OperationalError, connection, transaction


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_connections_have_the_statement_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        (value,) = cursor.fetchone()
    assert value == "5s"
    assert settings.DATABASE_STATEMENT_TIMEOUT_MS == 5000


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_cancels_a_statement_that_runs_too_long():
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 50")
        with pytest.raises(OperationalError) as error, transaction.atomic():
            cursor.execute("SELECT pg_sleep(2)")
    assert "statement timeout" in str(error.value)


def test_the_timeout_is_only_given_to_postgresql():
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if connection.vendor == "postgresql":
        assert "-c statement_timeout=5000" in options["options"]
    else:
        assert "options" not in options


def test_management_commands_run_without_the_web_statement_timeout():
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_STATEMENT_TIMEOUT_MS"}
    env["DJANGO_DEBUG"] = "true"
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.DATABASE_STATEMENT_TIMEOUT_MS)",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "0"
    # The web side (gunicorn imports tracker.wsgi, not manage.py) keeps the default.
    assert settings.DATABASE_STATEMENT_TIMEOUT_MS == 5000
