"""Settings for Refusal Tracker, read from the environment.

Every variable is documented in `.env.example`. Defaults are the safe ones: DEBUG is off
unless asked for, and a missing SECRET_KEY outside DEBUG stops the process.
"""

import hashlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    """Read a strict boolean: only "true"/"false" (any case), "1"/"0" are accepted."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise ImproperlyConfigured(f"{name} must be 'true' or 'false', not {raw!r}.")


def env_int(name, default):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}.") from None


def env_list(name, default=""):
    raw = os.environ.get(name, default)
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (see .env.example), "
            "or set DJANGO_DEBUG=true for local development."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

# Submitter contacts are encrypted at rest with these Fernet keys (newest first).
# How to generate one: see .env.example.
CONTACT_ENCRYPTION_KEYS = env_list("CONTACT_ENCRYPTION_KEYS")
if not CONTACT_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "CONTACT_ENCRYPTION_KEYS is not set. Generate a key (see .env.example); "
            "without it, submitter contacts cannot be stored safely."
        )
    # Development only: a fixed key derived from the development SECRET_KEY.
    import base64

    CONTACT_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()
    ]

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Before the admin: it registers the translated fields (tracker/translation.py) that
    # the admin's forms list.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "tracker",
    "submissions",
    "moderation",
    "tracker.preservation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Readers on slow or censored connections: compress pages (Django's gzip includes the
    # BREACH mitigation; CSRF tokens are masked per response).
    "django.middleware.gzip.GZipMiddleware",
    # Security headers (see "Security" below); also on static files and error pages.
    "csp.middleware.CSPMiddleware",
    "tracker.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: static files are not logged. Above everything else: it sees the
    # final status, including the 503 of the next middleware.
    "tracker.logging.RequestLogMiddleware",
    "tracker.security.DatabaseUnavailableMiddleware",
    # Public read-only pages of anonymous readers may read from a replica (tracker/replicas.py).
    "tracker.replicas.ReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # A login lasts at most SESSION_ABSOLUTE_LIFETIME (moderation/security.py).
    "moderation.security.SessionLifetimeMiddleware",
    # The one layer that keeps client addresses from django-axes (tracker/privacy.py).
    "tracker.privacy.AxesWithoutAddressMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# The embedded default is a SQLite file in the project folder; DATABASE_URL switches to
# PostgreSQL (postgres://user:password@host:5432/name).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        # A restarted database must not cost a 500: check persistent connections first.
        conn_health_checks=True,
    )
}
# PostgreSQL: one pathological query must not hold a worker (and a connection) for long.
# The server cancels any statement that runs longer; 0 turns the limit off (e.g. for a
# long migration on a large database).
DATABASE_STATEMENT_TIMEOUT_MS = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 5000)
# The task worker's aggregates over every case (tracker.cache.refresh_aggregate) take
# longer than a reader may wait: the statistics of every single filter ~20 s at a million
# cases. Their statements get this limit instead (0: none).
AGGREGATE_STATEMENT_TIMEOUT_MS = env_int("AGGREGATE_STATEMENT_TIMEOUT_MS", 10 * 60 * 1000)
# PostgreSQL: the listing's count (and the counts beside the filters) may take this long;
# past it the page says "more than N" (the rows it has seen) and is still served within
# its budget (tracker/pagination.py::bounded_rows). 0: no limit of its own.
LISTING_COUNT_TIMEOUT_MS = env_int("LISTING_COUNT_TIMEOUT_MS", 50)
# PostgreSQL: /stats/ counts a selection nothing keeps (a search, an outlet, a combination)
# for this long (ms) in the reader's request; past it the task worker counts it and the
# page says the statistics are being counted (tracker/stats.py). 0: no limit of its own.
STATS_COUNT_TIMEOUT_MS = env_int("STATS_COUNT_TIMEOUT_MS", 200)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = (
        f"{options.get('options', '')} -c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"
    ).strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and a writer work at once; the timeout waits for a lock.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

# Read replicas (comma-separated URLs of PostgreSQL hot standbys, README "Production"):
# the public read-only pages of anonymous readers (listing, case page, statistics,
# exports, API, feed) read from one of them; everything that writes, every moderator page
# and every logged-in request use the primary (tracker/replicas.py). A replica that does
# not answer stops the app at start (tracker/checks.py).
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS")
DATABASE_REPLICAS = []
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    _replica = dj_database_url.parse(
        _url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True
    )
    if _replica["ENGINE"] == "django.db.backends.postgresql":
        # The same statement timeout as the primary.
        _replica.setdefault("OPTIONS", {})["options"] = (
            f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"
        )
    # Tests run against the primary's test database, never a replica's.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_number}"] = _replica
    DATABASE_REPLICAS.append(f"replica_{_number}")
DATABASE_ROUTERS = ["tracker.replicas.ReplicaRouter"]
# After any change to what the public sees, public pages read from the primary for this
# many seconds: longer than the replicas lag, so no page is cached without the change.
DATABASE_REPLICA_LAG_SECONDS = env_int("DATABASE_REPLICA_LAG_SECONDS", 10)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caching: Redis when REDIS_URL is set (production, several machines); otherwise files in
# CACHE_DIR. Either way one cache is shared by every worker process of the machine, so a
# page cached or invalidated by one worker is so for all of them. Keys carry the
# database's name: a checkout switched from SQLite to PostgreSQL never serves the other
# database's pages.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "tracker.redis_cache.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "refusals",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("CACHE_DIR") or str(BASE_DIR / "var" / "cache"),
            "KEY_PREFIX": str(DATABASES["default"]["NAME"]),
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 5000)},
        }
    }

# Moderators and administrators: password + TOTP code (django-otp); failed logins are
# counted and locked out by django-axes, per account and client. Axes would otherwise keep
# the IP address and user agent; tracker.privacy.AxesWithoutAddressMiddleware (the one
# layer that does it) gives it a daily pseudonym instead and neither.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "moderation:queue"
LOGOUT_REDIRECT_URL = "tracker:home"
# A session ends after this many seconds without a request; every request restarts the clock.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
# ... and after this many seconds from the login whatever happens (moderation/accounts.py).
SESSION_ABSOLUTE_LIFETIME = env_int("SESSION_ABSOLUTE_LIFETIME", 12 * 3600)
# The enrolment page (it shows the TOTP secret) works only this long after create_moderator.
MODERATOR_ENROLMENT_HOURS = env_int("MODERATOR_ENROLMENT_HOURS", 48)
# Failed logins make every further attempt on that account wait up to this long.
LOGIN_SLOWDOWN_MAX_SECONDS = env_int("LOGIN_SLOWDOWN_MAX_SECONDS", 300)

OTP_TOTP_ISSUER = "Refusal Tracker"
# A failed code doubles the wait before the next try (seconds, per device).
OTP_TOTP_THROTTLE_FACTOR = 1

AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Locked per account and client: the client is a daily pseudonym made from the client hash,
# never an address (tracker.privacy.AxesWithoutAddressMiddleware), so a stranger's guesses
# lock out the stranger, not the moderator. Guessing is also slowed per account
# (moderation/accounts.py, LOGIN_SLOWDOWN_MAX_SECONDS).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_STR_CALLABLE = "tracker.privacy.axes_client_description"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token", "otp_device", "next"]
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
SILENCED_SYSTEM_CHECKS = []

# Four-eyes rule: when true, a publication waits for a second moderator's approval.
MODERATION_FOUR_EYES = env_bool("MODERATION_FOUR_EYES", False)
# Days around a report's date within which other reports and cases count as possible
# duplicates on the review screen.
MODERATION_DUPLICATE_WINDOW_DAYS = env_int("MODERATION_DUPLICATE_WINDOW_DAYS", 60)
# Hours during which a moderator can undo a rejection (moderation.services.undo_rejection);
# purge_contacts keeps the contact of a rejected report at least this long.
MODERATION_UNDO_REJECTION_HOURS = env_int("MODERATION_UNDO_REJECTION_HOURS", 24)
# Seconds the content of the public listing and home page is cached for anonymous readers
# (tracker/cache.py; any change to a case invalidates it at once). 0 turns it off.
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 60)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: English is the source language; the interface is also in Russian
# and Ukrainian. The language is not part of the URL, so a cited URL works in every
# language; the choice is remembered in a cookie.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ru", _("Russian")),
    ("uk", _("Ukrainian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# The text of a case in each content language: django-modeltranslation
# (tracker/translation.py; ARCHITECTURE.md, "A case in three languages"). Set explicitly
# rather than derived from LANGUAGES, so an interface language added later does not add
# columns. Reading a translated field falls back per case to its original language
# (tracker/translation.py::ReadersVersion), not by these settings; they only order
# modeltranslation's own fallbacks, which the project's code does not use. Nothing is
# copied between languages on create (a missing version stays empty: "needs translation").
MODELTRANSLATION_LANGUAGES = ("en", "ru", "uk")
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en", "ru", "uk")}
MODELTRANSLATION_AUTO_POPULATE = False
MODELTRANSLATION_ENABLE_FALLBACKS = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "tracker.storage.PrivateFileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploads live outside static/ and are never served from a public URL.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = None
# Every file the app keeps goes through Django's storage API: report attachments
# ("default", under submissions/), snapshots of cited sources ("snapshots", under
# snapshots/; tracker/preservation/), and the backups read both. The embedded default is
# the local disk under MEDIA_ROOT. With S3_BUCKET set, both go to that bucket of an
# S3-compatible object store (SeaweedFS, MinIO, AWS…), so that every app server and worker
# reads what any of them wrote. Either way no file has a URL: moderators get them only
# through permission-checked views (tracker/storage.py refuses to make a public or
# pre-signed address), so no page ever loads anything from another origin. The bucket
# must be private; a bucket that is missing or refuses the keys stops the app at start
# (tracker/checks.py).
S3_BUCKET = os.environ.get("S3_BUCKET", "")
# The store's address, e.g. http://seaweedfs:8333; empty = AWS S3 itself.
S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")
S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID", "")
S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY", "")
S3_REGION = os.environ.get("S3_REGION", "us-east-1")
if S3_BUCKET:
    if not (S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY):
        raise ImproperlyConfigured(
            "S3_BUCKET is set but S3_ACCESS_KEY_ID or S3_SECRET_ACCESS_KEY is not."
        )
    _s3_storage = {
        "BACKEND": "tracker.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT_URL or None,
            "access_key": S3_ACCESS_KEY_ID,
            "secret_key": S3_SECRET_ACCESS_KEY,
            "region_name": S3_REGION or None,
        },
    }
    STORAGES["default"] = _s3_storage
    STORAGES["snapshots"] = _s3_storage
else:
    # Snapshots: private like uploads (under MEDIA_ROOT/snapshots/), never given a URL.
    STORAGES["snapshots"] = {"BACKEND": "tracker.storage.PrivateFileSystemStorage"}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Public listing page size; readers may ask for up to MAX.
CASES_PAGE_SIZE = env_int("CASES_PAGE_SIZE", 25)
CASES_MAX_PAGE_SIZE = 100

# Public submissions (submissions/). Uploads are kept in memory by our own handler, within
# these limits, so an image is rebuilt without its metadata before anything touches the disk.
SUBMISSION_MAX_FILES = env_int("SUBMISSION_MAX_FILES", 5)
SUBMISSION_MAX_FILE_SIZE = env_int("SUBMISSION_MAX_FILE_SIZE", 10 * 1024 * 1024)
SUBMISSION_MAX_TOTAL_UPLOAD = env_int("SUBMISSION_MAX_TOTAL_UPLOAD", 25 * 1024 * 1024)
# A 12 KB PNG can decode to 100 megapixels; larger images are refused before decoding.
SUBMISSION_MAX_IMAGE_PIXELS = env_int("SUBMISSION_MAX_IMAGE_PIXELS", 40_000_000)
FILE_UPLOAD_HANDLERS = ["submissions.uploads.LimitedMemoryUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = SUBMISSION_MAX_FILE_SIZE
# Uploads are readable by the app's own user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
# Also caps query parameters: 1,000 repeated filter parameters still get a page.
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000)
# A few more than SUBMISSION_MAX_FILES, so that "too many files" is a form error, not a 400.
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DATA_UPLOAD_MAX_NUMBER_FILES", 10)
# The form rejects posts faster than a person (machine speed) or older than this (stale).
SUBMISSION_MIN_SECONDS = env_int("SUBMISSION_MIN_SECONDS", 3)
SUBMISSION_FORM_MAX_AGE = env_int("SUBMISSION_FORM_MAX_AGE", 24 * 3600)
# Abuse limits per client, counted under a keyed hash of the address that rotates daily.
SUBMISSIONS_PER_HOUR = env_int("SUBMISSIONS_PER_HOUR", 5)
# Beyond SUBMISSIONS_PER_HOUR a client's reports are not refused but held apart for the
# moderators (behind an onion service everyone is one client); only past this many reports
# an hour from everyone together does the form ask to try later.
SUBMISSIONS_SITE_PER_HOUR = env_int("SUBMISSIONS_SITE_PER_HOUR", 200)
# Wrong receipt codes a client may try in an hour; a right code always works.
RECEIPT_LOOKUPS_PER_HOUR = env_int("RECEIPT_LOOKUPS_PER_HOUR", 20)
# A report that cannot be stored within this many seconds is rolled back, not stored after
# the sender has given up on the page.
SUBMISSION_DEADLINE_SECONDS = env_int("SUBMISSION_DEADLINE_SECONDS", 20)
# Times of what a submitter does are stored cut down to this many seconds (an hour).
SUBMITTER_TIME_RESOLUTION_SECONDS = env_int("SUBMITTER_TIME_RESOLUTION_SECONDS", 3600)
# Behind N reverse proxies the client is the Nth address from the right of X-Forwarded-For.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Receipt codes are stored as HMAC-SHA256 under this key. Changing it makes every receipt
# code unusable, so it is separate from SECRET_KEY (which falls in only when it is unset).
RECEIPT_HASH_KEY = os.environ.get("RECEIPT_HASH_KEY") or SECRET_KEY
# Days after a decision before purge_contacts deletes the submitter's contact.
CONTACT_RETENTION_DAYS = env_int("CONTACT_RETENTION_DAYS", 30)
# A stale form (a page left open, Tor Browser's "New Identity") keeps its draft.
CSRF_FAILURE_VIEW = "submissions.views.csrf_failure"
# The public API (tracker/api/): anonymous and read-only, JSON only (the browsable API's
# pages would need inline scripts), throttled per client without storing addresses.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["tracker.api.throttling.AnonymousRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": "120/minute"},
    "DEFAULT_PAGINATION_CLASS": "tracker.api.pagination.CasePagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Refusal Tracker API",
    "DESCRIPTION": (
        "Read-only access to the published cases of Refusal Tracker. The filters are the "
        "same as those of the /cases/ listing; /data/ explains every field and code."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Case.event_date_precision and CaseEvent.date_precision share one set of choices.
    "ENUM_NAME_OVERRIDES": {"DatePrecisionEnum": "tracker.models.DatePrecision"},
}

# Background tasks (django-tasks): rows in the database, run by `manage.py db_worker`.
# A task enqueued inside a transaction is committed with it, so it cannot be lost between
# the commit and a hook; tests use the immediate backend (tests/settings.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Source preservation (tracker/preservation/): captures and link checks of cited sources.
# All fetches go through SOURCE_FETCH_PROXY when set (http://host:port or
# socks5://host:port, e.g. Tor's), never to a private, loopback or link-local address.
SOURCE_FETCH_PROXY = os.environ.get("SOURCE_FETCH_PROXY", "")
if SOURCE_FETCH_PROXY and not SOURCE_FETCH_PROXY.startswith(
    ("http://", "https://", "socks5://", "socks5h://")
):
    raise ImproperlyConfigured("SOURCE_FETCH_PROXY must be an http://, https:// or socks5:// URL.")
# Tests only: lets fetches reach 127.0.0.1 (the tests' own HTTP server). A production
# process refuses to start with it.
SOURCE_FETCH_ALLOW_PRIVATE = env_bool("SOURCE_FETCH_ALLOW_PRIVATE", False)
if SOURCE_FETCH_ALLOW_PRIVATE and not DEBUG:
    raise ImproperlyConfigured("SOURCE_FETCH_ALLOW_PRIVATE=true is for tests only.")
SOURCE_FETCH_TIMEOUT = env_int("SOURCE_FETCH_TIMEOUT", 30)
SOURCE_FETCH_MAX_BYTES = env_int("SOURCE_FETCH_MAX_BYTES", 20 * 1024 * 1024)
# Tor Browser's user agent: the most common one among the proxy's other users.
SOURCE_FETCH_USER_AGENT = (
    os.environ.get("SOURCE_FETCH_USER_AGENT")
    or "Mozilla/5.0 (Windows NT 10.0; rv:128.0) Gecko/20100101 Firefox/128.0"
)
# Also ask the Internet Archive's Wayback Machine to save each captured source (through the
# proxy) and record the address of its copy. Off by default: it tells a third party which
# pages the project keeps.
SOURCE_WAYBACK_SAVE = env_bool("SOURCE_WAYBACK_SAVE", False)
# Whether readers may open the archived copy itself (the publisher holds its copyright).
SOURCE_SNAPSHOTS_PUBLIC = env_bool("SOURCE_SNAPSHOTS_PUBLIC", False)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")

# ---------------------------------------------------------------------------------------
# Security: HTTPS, cookies and response headers. `manage.py check --deploy` passes with no
# warning when DEBUG is off (tests/security/test_deploy_check.py runs it).
# ---------------------------------------------------------------------------------------

# Served over HTTPS only: secure cookies, http -> https redirect, HSTS. On by default
# outside DEBUG; HTTPS=false is for plain-http runs on 127.0.0.1 (docker compose
# without a TLS proxy, load tests), never for a public site.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading is a promise to browsers that is slow to take back: an explicit opt-in.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # check --deploy recommends preloading; not preloading is a decision, not an oversight.
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]

# Behind a reverse proxy that terminates TLS, Django sees plain http and would redirect
# forever. Trust X-Forwarded-Proto only when the proxy says it sets it (and strips any
# value sent by the client): otherwise anyone could claim to be on https.
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# No script needs the cookies; SameSite=Lax keeps them off cross-site POSTs while a link
# from an e-mail to /moderation/ still arrives logged in.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# A session cookie: no year-long trace of a visit in the browser.
CSRF_COOKIE_AGE = None
LANGUAGE_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# A reader who follows a source link must not tell the outlet where they came from. Not
# "no-referrer": under it browsers send `Origin: null` with every form POST, and Django's
# CSRF check then refuses every report, login and moderation action.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Permissions-Policy (camera, microphone, geolocation, … all off) is set by
# tracker.security.PermissionsPolicyMiddleware.

# Content-Security-Policy (django-csp 4): everything from our own origin, nothing inline,
# no plugins, no framing, forms post only to us. Templates therefore carry no inline
# <script>, <style> or style= (tests/security/test_no_inline_code.py checks the public
# pages); the Django admin works under the same policy (tests/security/test_admin_csp.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# Seconds a reader is asked to wait when the database is unreachable (the 503 page).
DATABASE_UNAVAILABLE_RETRY_AFTER = 30

# ---------------------------------------------------------------------------------------
# Logging: JSON lines, no personal data (see tracker/logging.py). Every handler redacts
# IP addresses, e-mail addresses and query strings. `tracker.requests` logs one line per
# request; moderation actions go to the audit trail (moderation.AuditEvent), not to logs.
# ---------------------------------------------------------------------------------------

# Error e-mails go to these addresses (comma-separated), scrubbed of form data, query
# strings and client details. Empty: no e-mails, errors are only logged.
ADMINS = [(address, address) for address in env_list("ADMINS")]
SERVER_EMAIL = DEFAULT_FROM_EMAIL
DEFAULT_EXCEPTION_REPORTER = "tracker.logging.PrivateExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "tracker.logging.PrivateExceptionReporterFilter"

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "tracker.logging.RedactPersonalDataFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "skip_service_unavailable": {"()": "tracker.logging.SkipServiceUnavailable"},
    },
    "formatters": {"json": {"()": "tracker.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["redact"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["redact", "require_debug_false", "skip_service_unavailable"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own loggers: our console (through root) plus error e-mails.
        "django": {"handlers": ["mail_admins"], "level": LOG_LEVEL},
        # runserver's access log repeats each request with its query string; ours is enough.
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # At DEBUG it would log SQL with its parameters, which can hold submission text.
        "django.db.backends": {"level": "INFO"},
        # WARNING silences the per-request lines (the benchmark's server does).
        "tracker.requests": {"level": os.environ.get("REQUEST_LOG_LEVEL", "INFO")},
        # pikepdf announces its log bridge at INFO in every process.
        "pikepdf": {"level": "WARNING"},
        # The object store's client: at DEBUG it logs every request with its headers and
        # the addresses it connects to; nothing of it belongs in our logs.
        "boto3": {"level": "WARNING"},
        "botocore": {"level": "WARNING"},
        "s3transfer": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
    },
}
