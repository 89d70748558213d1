import datetime

import pytest
from django.db import connection
from django.utils import timezone

from tracker.models import Case, CaseOutcome, Region, Source


def make_case(**overrides):
    """A published case with one source; keyword arguments override any field.

    `outcomes=[...]` and `sources=[{...}]` create the related rows.
    """
    outcomes = overrides.pop("outcomes", [CaseOutcome.Outcome.DISMISSED])
    sources = overrides.pop("sources", [{"outlet": "Mediazona"}])
    values = {
        "title": "Guardsmen refused to cross the border",
        "summary": "A group of guardsmen refused to take part in the operation.",
        "status": Case.Status.PUBLISHED,
        "event_date": datetime.date(2022, 2, 26),
        "event_date_precision": "day",
        "people_count": 12,
        "people_qualifier": Case.PeopleQualifier.EXACT,
        "service_status": Case.ServiceStatus.CONTRACT,
        "force": Case.Force.ROSGVARDIA_OMON,
        "refusal_kind": Case.RefusalKind.REFUSED_DEPLOY,
        "confidence": Case.Confidence.REPORTED,
        "location_country": Case.Country.UKRAINE,
    }
    values.update(overrides)
    # `title=` and the like name the original language's version, whatever language a
    # request of an earlier test left active (modeltranslation would write that one).
    original = values.get("original_language", Case.ContentLanguage.ENGLISH)
    for name in ("title", "summary", "retraction_reason"):
        if name in values:
            values.setdefault(f"{name}_{original}", values.pop(name))
    if values["status"] == Case.Status.PUBLISHED:
        values.setdefault("published_at", timezone.now())
    case = Case.objects.create(**values)
    for outcome in outcomes:
        CaseOutcome.objects.create(case=case, outcome=outcome)
    for source in sources:
        Source.objects.create(case=case, **source)
    if outcomes:
        # As the publishing service does: the outcomes' labels are searchable text.
        case.refresh_search_document()
    return case


def ensure_regions():
    """The regions a migration loads; transactional tests flush them, so reload if gone."""
    if not Region.objects.exists():
        import importlib

        from django.apps import apps

        loader = importlib.import_module("tracker.migrations.0002_load_regions")
        loader.load_regions(apps, None)


@pytest.fixture
def region():
    ensure_regions()
    return Region.objects.get(code="RU-KB")


@pytest.fixture
def other_region():
    ensure_regions()
    return Region.objects.get(code="RU-PSK")


@pytest.fixture
def published_case(region):
    return make_case(title="Published guardsmen case", home_region=region)


@pytest.fixture
def draft_case(region):
    return make_case(title="Draft case canary", status=Case.Status.DRAFT, home_region=region)


@pytest.fixture
def retracted_case(region):
    return make_case(
        title="Retracted case canary",
        status=Case.Status.RETRACTED,
        retraction_reason="The source withdrew its report.",
        home_region=region,
    )


def is_postgresql():
    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL); CI runs it")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


# --- moderation -------------------------------------------------------------------------

MODERATOR_PASSWORD = "a long moderator passphrase"


def totp_code(device):
    """The code an authenticator app shows for this device right now."""
    from django_otp.oath import totp

    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def make_user(username, *, moderator=False, device=True):
    """A user with MODERATOR_PASSWORD and, unless device=False, a confirmed TOTP device."""
    from django.contrib.auth.models import Group, User
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.create_user(username=username, password=MODERATOR_PASSWORD)
    if moderator:
        user.groups.add(Group.objects.get(name="Moderators"))
    if device:
        TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return user


def log_in(client, user, *, password=MODERATOR_PASSWORD, code=None, **extra):
    """Log in through /accounts/login/ with the password and the current TOTP code."""
    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if code is None:
        device = TOTPDevice.objects.filter(user=user).first()
        code = totp_code(device) if device else ""
    data = {"username": user.get_username(), "password": password, "otp_token": code}
    return client.post(reverse("accounts:login"), data, **extra)


@pytest.fixture
def moderator(db):
    return make_user("moderator", moderator=True)


@pytest.fixture
def other_moderator(db):
    return make_user("second-moderator", moderator=True)


@pytest.fixture
def user_without_permission(db):
    return make_user("reader")


@pytest.fixture
def moderator_client(client, moderator):
    response = log_in(client, moderator)
    assert response.status_code == 302, "the moderator fixture could not log in"
    return client


# --- Submissions (public intake) -----------------------------------------------------------


@pytest.fixture
def large_record(settings, monkeypatch):
    """A record too large to compute aggregates over every case in a reader's request,
    and a task worker that has not got round to anything yet (a task backend that keeps
    what is enqueued). `run_queued_tasks(large_record)` is the worker's turn."""
    from django_tasks import default_task_backend

    from tracker import cache as public_cache

    monkeypatch.setattr(public_cache, "INLINE_MAX_CASES", 0)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return default_task_backend


def run_queued_tasks(backend):
    for result in list(backend.results):
        result.task.call(*result.args, **result.kwargs)
    backend.clear()


@pytest.fixture(autouse=True)
def _no_language_left_active():
    """Each test starts with no language active (English), as a new thread would: a
    request of the test before leaves its language active, and modeltranslation writes
    `title=` in the active language."""
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _private_media_and_empty_cache(settings, tmp_path):
    """Uploaded files go to a per-test folder; rate-limit counters start at zero."""
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_fetch_beyond_loopback(monkeypatch):
    """Source captures and link checks never leave 127.0.0.1 in tests, DNS included:
    other names are not resolved, and any other address is refused."""
    from tracker.preservation import fetch

    real_checked_address = fetch.checked_address

    def loopback_only(host, port):
        if host not in ("127.0.0.1", "localhost"):
            raise fetch.FetchError(fetch.ErrorKind.DNS, "tests resolve only 127.0.0.1")
        return ["127.0.0.1"]

    def checked_loopback(host, port):
        address = real_checked_address(host, port)
        if address != "127.0.0.1":
            raise fetch.FetchError(fetch.ErrorKind.BLOCKED_ADDRESS, "tests stay on 127.0.0.1")
        return address

    monkeypatch.setattr(fetch, "resolve", loopback_only)
    monkeypatch.setattr(fetch, "checked_address", checked_loopback)


def make_submission(**overrides):
    """A submission as the public form stores it; keyword arguments override any field.

    `sources=[{...}]` creates its sources (`verified=True` marks one checked and confirmed,
    `independent` defaulting to True), `contact="..."` stores a contact encrypted,
    `questions=["..."]` adds moderators' questions. The receipt code exists only in memory,
    as `submission.receipt_code` (pass `receipt_code=` to choose it).
    """
    from django.utils import timezone

    from submissions import receipts
    from submissions.crypto import encrypt_contact
    from submissions.models import Message, Submission, SubmissionSource

    code = overrides.pop("receipt_code", None) or receipts.new_code()
    sources = overrides.pop("sources", [{"url": "https://example.org/report", "outlet": "Example"}])
    questions = overrides.pop("questions", [])
    contact = overrides.pop("contact", "")
    values = {
        "language": "ru",
        "what_happened": "Eleven contract soldiers of military unit 3723 refused to go back.",
        "event_date": datetime.date(2023, 5, 10),
        "event_date_precision": "day",
        "unit": "military unit 3723",
        "people_count": 11,
        "people_qualifier": Case.PeopleQualifier.EXACT,
        "refusal_kind": Case.RefusalKind.REFUSED_DEPLOY,
        "relation": Submission.Relation.RELATIVE,
        "outcomes": [CaseOutcome.Outcome.DISMISSED],
        "consent_to_publish": True,
    }
    values.update(overrides)
    submission = Submission.objects.create(
        receipt_hash=receipts.code_hash(code), contact_encrypted=encrypt_contact(contact), **values
    )
    for source in sources:
        source = dict(source)
        if source.pop("verified", False):
            source.setdefault("reachable", True)
            source.setdefault("supports_report", True)
            source.setdefault("independent", True)
            source.setdefault("verified_at", timezone.now())
        SubmissionSource.objects.create(submission=submission, **source)
    for text in questions:
        Message.objects.create(
            submission=submission, author_kind=Message.Author.MODERATOR, text=text
        )
    submission.receipt_code = code
    return submission


@pytest.fixture
def new_submission(region):
    return make_submission(home_region=region, contact="signal: +7 900 000-00-00")


def submission_form_data(**overrides):
    """A complete, valid POST body for /submit/, with a form token issued a minute ago (a
    person's speed). Override any field; `None` as a value leaves the field out."""
    import time

    from submissions import formtoken

    data = {
        "what_happened": "Twelve guardsmen refused to cross the border on 26 February.",
        "event_date": "2022-02-26",
        "event_date_precision": "day",
        "home_region": "",
        "location_country": "ua",
        "location": "Kharkiv oblast",
        "force": "rosgvardia_omon",
        "unit": "military unit 3723",
        "people_count": "12",
        "people_qualifier": "exact",
        "service_status": "contract",
        "refusal_kind": "refused_deploy",
        "outcomes": ["dismissed", "court_rejected"],
        "relation": "relative",
        "contact": "telegram @example_contact",
        "consent_to_publish": "on",
        "website": "",
        "form_token": formtoken.issue(now=time.time() - 60),
        "sources-TOTAL_FORMS": "10",
        "sources-INITIAL_FORMS": "0",
        "sources-MIN_NUM_FORMS": "0",
        "sources-MAX_NUM_FORMS": "10",
        "sources-0-url": "https://example.org/news/guardsmen",
        "sources-0-outlet": "Example News",
        "sources-0-published_on": "2022-03-01",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- Source preservation -------------------------------------------------------------------


@pytest.fixture
def source_server(settings):
    """The tests' own outlet on 127.0.0.1 (tests/source_server.py); fetches may reach it."""
    from tests import source_server as server_module

    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    settings.SOURCE_FETCH_TIMEOUT = 5
    server = server_module.start()
    yield server
    server_module.stop(server)


# --- Object store (S3) ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def object_store(tmp_path_factory):
    """SeaweedFS with its S3 gateway on 127.0.0.1, for the whole session
    (tests/object_store.py). Fails, never skips, when it cannot start."""
    from tests.object_store import ObjectStore

    store = ObjectStore(tmp_path_factory.mktemp("seaweedfs"))
    try:
        store.start()
    except RuntimeError as error:
        pytest.fail(f"the object store did not start: {error}")
    yield store
    store.stop()


@pytest.fixture
def s3_files(object_store, settings):
    """The app's files (attachments and snapshots) in the test object store's private
    bucket, configured as settings.py does with S3_BUCKET set, under a prefix of this
    test's own (the returned area lists and reads them)."""
    area = object_store.area()
    for name, value in object_store.environment(area.bucket).items():
        setattr(settings, name, value)
    storage = {
        "BACKEND": "tracker.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": area.bucket,
            "endpoint_url": object_store.endpoint_url,
            "access_key": settings.S3_ACCESS_KEY_ID,
            "secret_key": settings.S3_SECRET_ACCESS_KEY,
            "region_name": settings.S3_REGION,
            "location": area.prefix,
        },
    }
    settings.STORAGES = {**settings.STORAGES, "default": storage, "snapshots": storage}
    return area
