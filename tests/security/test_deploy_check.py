"""Production settings: `check --deploy` is clean, and local development stays plain http."""

import ast
import os
import secrets
import subprocess
import sys

from django.conf import settings

OURS = (
    "SECRET_KEY",
    "DJANGO_DEBUG",
    "CONTACT_ENCRYPTION_KEYS",
    "HTTPS",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "BEHIND_TLS_PROXY",
    "DJANGO_SETTINGS_MODULE",
)


def production_env(**env):
    clean = {key: value for key, value in os.environ.items() if key not in OURS}
    clean.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        CONTACT_ENCRYPTION_KEYS=os.environ["CONTACT_ENCRYPTION_KEYS"],
        DJANGO_SETTINGS_MODULE="tracker.settings",
        ALLOWED_HOSTS="refusals.example",
    )
    clean.update(env)
    return clean


def run(args, **env):
    return subprocess.run(  # noqa: S603 (the arguments are this file's own)
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=production_env(**env),
        capture_output=True,
        text=True,
        check=False,
    )


def read_settings(expression, **env):
    """The value of an expression over the settings module `s`, imported with this env."""
    result = run(["-c", f"import tracker.settings as s; print(repr(({expression})))"], **env)
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip())


def test_check_deploy_finds_no_warning_in_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_when_https_is_turned_off():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], HTTPS="false")
    assert result.returncode != 0
    assert "security.W008" in result.stderr  # SECURE_SSL_REDIRECT
    assert "security.W012" in result.stderr  # SESSION_COOKIE_SECURE


def test_local_development_keeps_plain_http():
    expression = (
        "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS"
    )
    assert read_settings(expression, DJANGO_DEBUG="true") == (False, False, False, 0)


def test_production_redirects_to_https_with_secure_cookies_and_a_year_of_hsts():
    expression = (
        "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.LANGUAGE_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS"
    )
    assert read_settings(expression) == (True, True, True, True, 31536000, True)


def test_hsts_duration_is_configurable():
    assert read_settings("s.SECURE_HSTS_SECONDS", SECURE_HSTS_SECONDS="600") == 600


def test_hsts_preload_is_off_unless_opted_in():
    assert read_settings("s.SECURE_HSTS_PRELOAD") is False
    assert read_settings("s.SECURE_HSTS_PRELOAD", SECURE_HSTS_PRELOAD="true") is True


def test_opting_in_to_preload_keeps_check_deploy_clean():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], SECURE_HSTS_PRELOAD="true"
    )
    assert result.returncode == 0, result.stderr
    # Nothing stays silenced: lockouts are per account and client pseudonym (no address).
    assert "(0 silenced)" in result.stdout


def test_the_forwarded_proto_header_is_trusted_only_when_configured():
    assert read_settings("getattr(s, 'SECURE_PROXY_SSL_HEADER', None)") is None
    trusted = read_settings("s.SECURE_PROXY_SSL_HEADER", BEHIND_TLS_PROXY="true")
    assert trusted == ("HTTP_X_FORWARDED_PROTO", "https")


def test_database_connections_stay_health_checked():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
