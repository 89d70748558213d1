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


def test_no_setting_is_assigned_twice():
    """A second assignment silently wins over the first, and a reader of the first is misled."""
    import ast
    from pathlib import Path

    import tracker.settings

    tree = ast.parse(Path(tracker.settings.__file__).read_text())
    names = [
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id.isupper()
    ]
    assigned_twice = {name for name in names if names.count(name) > 1}
    # Built up on purpose: the base list, then an addition that depends on another setting.
    assert assigned_twice <= {"SILENCED_SYSTEM_CHECKS"}


def test_the_env_example_values_are_the_settings_defaults():
    """What .env.example shows for a number is what the app uses when it is not set."""
    import re
    from pathlib import Path

    from django.conf import settings

    example = (Path(settings.BASE_DIR) / ".env.example").read_text()
    numbers = dict(re.findall(r"^([A-Z_]+)=(\d+)$", example, re.M))
    clean = {key: value for key, value in os.environ.items() if key not in numbers}
    clean.update(SECRET_KEY="x" * 50, CONTACT_ENCRYPTION_KEYS=TEST_KEY)
    script = (
        "import json, tracker.settings as s; "
        "print(json.dumps({n: getattr(s, n, None) for n in %r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script % sorted(numbers)],
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    )
    import json

    defaults = json.loads(result.stdout)
    differing = {
        name: (value, defaults[name])
        for name, value in numbers.items()
        if defaults[name] is not None and defaults[name] != int(value)
    }
    assert differing == {}


@pytest.mark.django_db
def test_the_upload_help_text_states_the_limits_the_settings_set(client, settings):
    settings.SUBMISSION_MAX_FILES = 3
    settings.SUBMISSION_MAX_FILE_SIZE = 4 * 1024 * 1024
    settings.SUBMISSION_MAX_TOTAL_UPLOAD = 8 * 1024 * 1024

    content = client.get("/submit/").content.decode().replace("\xa0", " ")

    assert "Up to 3 files" in content
    assert "at most 4.0 MB each and 8.0 MB together" in content
