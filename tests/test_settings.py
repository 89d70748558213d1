import os
import subprocess
import sys

import pytest

from tracker.settings import env_bool

TEST_KEY = os.environ["CONTACT_ENCRYPTION_KEYS"]


def run_settings(**env):
    """Import the settings in a fresh interpreter with exactly this environment."""
    ours = ("SECRET_KEY", "DJANGO_DEBUG", "CONTACT_ENCRYPTION_KEYS")
    clean = {key: value for key, value in os.environ.items() if key not in ours}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import tracker.settings as s; print(s.DEBUG)"],
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_missing_secret_key_stops_a_production_start_with_a_clear_message():
    result = run_settings()
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_a_missing_contact_encryption_key_stops_a_production_start():
    result = run_settings(SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "CONTACT_ENCRYPTION_KEYS is not set" in result.stderr


def test_debug_is_off_unless_asked_for():
    production = run_settings(SECRET_KEY="x" * 50, CONTACT_ENCRYPTION_KEYS=TEST_KEY)
    assert production.stdout.strip() == "False"
    assert run_settings(DJANGO_DEBUG="true").stdout.strip() == "True"


@pytest.mark.parametrize("raw", ["yes", "on", "ture", "2"])
def test_env_bool_refuses_anything_but_true_or_false(monkeypatch, raw):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("SOME_FLAG", raw)
    with pytest.raises(ImproperlyConfigured) as error:
        env_bool("SOME_FLAG")
    assert "SOME_FLAG must be 'true' or 'false'" in str(error.value)


def test_database_connections_are_health_checked():
    from django.conf import settings

    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.TIME_ZONE == "UTC"
