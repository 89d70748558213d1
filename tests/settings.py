"""Test settings: the real settings, with a test secret and a fast password hasher."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
# A fixed test key (Fernet format); production keys come from the environment.
os.environ.setdefault("CONTACT_ENCRYPTION_KEYS", "dGVzdHMtb25seS1ub3Qtc2VjcmV0LWtleS0wMDAwMDA=")

from tracker.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The manifest needs collectstatic; tests render templates without it.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Serve static files from the finders: tests never run collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# The test client speaks plain http; tests/security checks the https redirect itself.
SECURE_SSL_REDIRECT = False
# One process: the test client runs in it, so the per-process cache is shared by every
# request of a test. The production default (files shared by every worker) is tested with
# separate processes in tests/test_listing_cache.py and by the browser tests' gunicorn.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tasks run at once, inside the test (django-tasks' immediate backend).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Source fetches: never private addresses unless a test asks (its own server on 127.0.0.1);
# tests/conftest.py also refuses to resolve any host but 127.0.0.1 and localhost.
SOURCE_FETCH_ALLOW_PRIVATE = False
SOURCE_FETCH_PROXY = ""
SOURCE_SNAPSHOTS_PUBLIC = False
SOURCE_WAYBACK_SAVE = False
# A read replica for tests/test_replica_routing.py: the primary's own test database under
# a second connection (Django's test mirror). Unused unless a test lists it in
# DATABASE_REPLICAS.
DATABASES = {**DATABASES, "replica": {**DATABASES["default"], "TEST": {"MIRROR": "default"}}}  # noqa: F405
DATABASE_REPLICAS = []
