"""Two app servers, one record: the scale-out the README's "Production" section describes,
run for real. Two gunicorn servers on different ports share one PostgreSQL database (read
through a replica URL too), one Redis and one object store (SeaweedFS), and nothing else:
each has a MEDIA_ROOT of its own, which stays empty.

A report with a photo sent to the first is reviewed on the second, its photo opened there
and published; the case shows at once in both servers' cached listings; a client's limit
counts requests to both; the moderator's session works on either.
"""

import base64
import io
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

import httpx
import pytest
from django.conf import settings as django_settings
from PIL import Image

from tests import submission_helpers as files
from tests.form_parsing import form_fields
from tests.object_store import free_ports

pytestmark = pytest.mark.postgres

ROOT = Path(django_settings.BASE_DIR)
# Redis database 5 is this test's own (flushed before and after).
REDIS_URL = os.environ.get("TWO_SERVERS_REDIS_URL", "redis://127.0.0.1:6379/5")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RECEIPT = re.compile(r"[A-Z0-9]{4}(?:-[A-Z0-9]{4}){4}")


def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail(f"this test needs Redis at {REDIS_URL} (CI has it on 127.0.0.1:6379)")
    return client


@pytest.fixture
def database():
    import psycopg2

    parts = urlsplit(os.environ["DATABASE_URL"])
    name = f"rt_two_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield urlunsplit(parts._replace(path=f"/{name}"))
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


class Servers:
    def __init__(self, env, tmp_path):
        self.env, self.tmp_path = env, tmp_path
        self.processes, self.urls, self.media = [], [], []

    def manage(self, *args, input=None):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            input=input,
            capture_output=True,
            start_new_session=True,
            text=True,
            check=True,
        )

    def start(self, count):
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
        for number, port in enumerate(free_ports(count), start=1):
            media = self.tmp_path / f"media-{number}"
            media.mkdir()
            env = {
                **self.env,
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "GUNICORN_WORKERS": "1",
                "GUNICORN_THREADS": "2",
                "MEDIA_ROOT": str(media),
            }
            log = (self.tmp_path / f"server-{number}.log").open("wb")
            self.processes.append(
                subprocess.Popen(
                    [gunicorn, "-c", "python:tracker.ops.gunicorn", "tracker.wsgi:application"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            self.urls.append(f"http://127.0.0.1:{port}")
            self.media.append(media)
        for url, process in zip(self.urls, self.processes, strict=True):
            self._wait(url, process)

    def _wait(self, url, process):
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(url + "/", timeout=2)
                return
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the app server at {url} did not start") from None
                time.sleep(0.2)

    def stop(self):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=30)


@pytest.fixture
def servers(database, object_store, tmp_path):
    redis = redis_client()
    redis.flushdb()
    bucket = object_store.new_bucket()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("S3_", "DATABASE_REPLICA", "CACHE_DIR"))
    }
    env.update(
        object_store.environment(bucket),
        DJANGO_SETTINGS_MODULE="tracker.settings",
        DJANGO_DEBUG="false",
        SECRET_KEY="two-servers-" + uuid.uuid4().hex,
        CONTACT_ENCRYPTION_KEYS="ZTJlLW9ubHktbm90LXNlY3JldC1rZXktMDAwMDAwMDA=",
        DATABASE_URL=database,
        # The replica is the primary itself here: the routing runs, the rows are the same.
        DATABASE_REPLICA_URLS=database,
        REDIS_URL=REDIS_URL,
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media-commands"),
        ALLOWED_HOSTS="127.0.0.1",
        HTTPS="false",
        SUBMISSION_MIN_SECONDS="0",
        RECEIPT_LOOKUPS_PER_HOUR="2",
    )
    group = Servers(env, tmp_path)
    group.manage("migrate", "--noinput")
    group.manage("collectstatic", "--noinput")
    group.bucket = bucket
    group.start(2)
    yield group
    group.stop()
    redis.flushdb()


def create_moderator(servers):
    password = "two-servers-" + uuid.uuid4().hex
    result = servers.manage("create_moderator", "ana", input=f"{password}\n{password}\n")
    uri = re.search(r"otpauth://\S+", result.stdout).group(0)
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return "ana", password, key


def csrf(response):
    return CSRF.search(response.text).group(1)


def send_report(client, url, unit):
    form = client.get(url + "/submit/")
    token = re.search(r'name="form_token" value="([^"]+)"', form.text).group(1)
    data = {
        "csrfmiddlewaretoken": csrf(form),
        "form_token": token,
        "what_happened": f"Twelve contract soldiers of {unit} refused to go to Kupiansk.",
        "event_date": "2024-03-18",
        "event_date_precision": "day",
        "location_country": "ua",
        "location": "Kharkiv oblast",
        "unit": unit,
        "people_count": "12",
        "people_qualifier": "exact",
        "refusal_kind": "refused_deploy",
        "outcomes": "dismissed",
        "relation": "relative",
        "consent_to_publish": "on",
        "website": "",
        "sources-TOTAL_FORMS": "1",
        "sources-INITIAL_FORMS": "0",
        "sources-MIN_NUM_FORMS": "0",
        "sources-MAX_NUM_FORMS": "10",
        "sources-0-url": "https://example.org/news/kupiansk",
        "sources-0-outlet": "Example News",
    }
    photo = ("IMG_0001.jpg", files.jpeg_with_metadata(), "image/jpeg")
    response = client.post(url + "/submit/", data=data, files=[("attachments", photo)])
    assert response.status_code == 200, response.text[:2000]
    return RECEIPT.search(response.text).group(0)


def log_in(client, url, username, password, key):
    from django_otp.oath import totp

    form = client.get(url + "/accounts/login/")
    response = client.post(
        url + "/accounts/login/",
        data={
            "csrfmiddlewaretoken": csrf(form),
            "username": username,
            "password": password,
            "otp_token": f"{totp(key):06d}",
        },
    )
    assert response.status_code == 302, response.text[:2000]


def form_with(html, field):
    """The fields of the page's form that has `field`, as a browser would send them."""
    for index in range(html.count("<form")):
        fields = form_fields(html, form_index=index)
        if field in dict(fields):
            return fields
    raise AssertionError(f"no form with {field}")


def listing(url):
    # A reader without cookies: the listing's content comes from the shared page cache.
    return httpx.get(url + "/cases/", timeout=10).text


def test_a_report_sent_to_one_server_is_reviewed_and_published_on_the_other(servers, object_store):
    first, second = servers.urls
    username, password, key = create_moderator(servers)
    unit = f"military unit {uuid.uuid4().int % 90000 + 10000}"
    title = f"Contract soldiers of {unit} refused to deploy"
    # Both servers have cached their listing without the case.
    assert title not in listing(first) and title not in listing(second)
    submitter = httpx.Client(timeout=20)
    code = send_report(submitter, first, unit)

    moderator = httpx.Client(timeout=20)
    log_in(moderator, second, username, password, key)
    # The session works on either server.
    queue = moderator.get(first + "/moderation/")
    assert queue.status_code == 200 and unit in queue.text
    pk = re.search(r'href="/moderation/(\d+)/"', queue.text).group(1)

    review = moderator.get(f"{second}/moderation/{pk}/")
    claim = re.search(r'action="(/moderation/\d+/claim/)"', review.text).group(1)
    moderator.post(second + claim, data={"csrfmiddlewaretoken": csrf(review)})
    review = moderator.get(f"{second}/moderation/{pk}/")
    verify = re.search(r'action="(/moderation/\d+/sources/(\d+)/verify/)"', review.text)
    prefix = f"source-{verify.group(2)}"
    response = moderator.post(
        second + verify.group(1),
        data={
            "csrfmiddlewaretoken": csrf(review),
            f"{prefix}-reachable": "true",
            f"{prefix}-supports_report": "true",
            f"{prefix}-independent": "true",
            f"{prefix}-verification_note": "Says what the report says.",
        },
    )
    assert response.status_code == 302

    # The photo, stored by the first server, opens on the second, cleaned, safely served.
    review = moderator.get(f"{second}/moderation/{pk}/")
    photo_path = re.search(r'src="(/moderation/\d+/attachments/\d+/)"', review.text).group(1)
    photo = moderator.get(second + photo_path)
    assert photo.status_code == 200
    assert photo.headers["content-type"] == "image/jpeg"
    assert photo.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in photo.headers["content-security-policy"]
    assert "no-store" in photo.headers["cache-control"]
    image = Image.open(io.BytesIO(photo.content))
    assert image.size == (64, 48) and len(image.getexif()) == 0
    assert files.SECRET.encode() not in photo.content

    publish = moderator.get(f"{second}/moderation/{pk}/publish/")
    fields = form_with(publish.text, "summary_en")
    chosen = {
        "original_language": "en",
        "title_en": title,
        "summary_en": f"Twelve contract soldiers of {unit} did not go to Kupiansk.",
        "confidence": "reported",
    }
    data = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    response = moderator.post(f"{second}/moderation/{pk}/publish/", data={**data, **chosen})
    assert response.status_code == 302, re.findall(r"<strong>([^<]+)</strong>", response.text)

    # At once in both servers' cached listings.
    assert title in listing(first)
    assert title in listing(second)

    # A client's limit on wrong receipt codes (2 an hour here) counts across both servers;
    # the right code still works.
    reader = httpx.Client(timeout=20)
    statuses = []
    for url in (first, second, first):
        page = reader.get(url + "/submit/status/")
        wrong = {"csrfmiddlewaretoken": csrf(page), "code": "AAAA-BBBB-CCCC-DDDD-EEEE"}
        statuses.append(reader.post(url + "/submit/status/", data=wrong).status_code)
    assert statuses == [200, 200, 429]
    page = reader.get(second + "/submit/status/")
    right = reader.post(
        second + "/submit/status/", data={"csrfmiddlewaretoken": csrf(page), "code": code}
    )
    assert right.status_code == 200 and "published" in right.text

    # Nothing on either server's disk: the photo is in the bucket only.
    for media in servers.media:
        assert [path for path in media.rglob("*") if path.is_file()] == []
    stored = object_store.client().list_objects_v2(Bucket=servers.bucket)["Contents"]
    assert [item["Key"].split("/")[0] for item in stored] == ["submissions"]
