"""Browser tests: Debian's Chromium driven by Playwright against the app under gunicorn.

The server runs as a separate process on its own throwaway database (PostgreSQL when
DATABASE_URL points at PostgreSQL, a temporary SQLite file otherwise), migrated and loaded
with the seed cases, with DEBUG off and collected static files, as in production.
Screenshots go to artifacts/e2e/ (not committed). Without Chromium or Playwright the tests
are skipped with a message that says what to install.
"""

import base64
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "artifacts" / "e2e"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None


def _skip_reason():
    if sync_playwright is None:
        return "browser tests need Playwright: pip install -e '.[dev]'"
    if not Path(CHROMIUM).exists():
        return f"browser tests need Chromium at {CHROMIUM}: apt-get install chromium"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _skip_reason()
    if reason is None:
        return
    if os.environ.get("E2E_REQUIRED") == "1":
        raise pytest.UsageError(f"E2E_REQUIRED=1 but {reason}")
    marker = pytest.mark.skip(reason=reason)
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(marker)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _throwaway_database(tmp):
    """A DATABASE_URL for a fresh database, and a function that drops it."""
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith(("postgres://", "postgresql://")):
        import psycopg2

        name = f"rt_e2e_{uuid.uuid4().hex[:10]}"
        parts = urlsplit(base)
        admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')

        def drop():
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()

        return urlunsplit(parts._replace(path=f"/{name}")), drop
    return f"sqlite:///{tmp / 'e2e.sqlite3'}", lambda: None


class Server:
    def __init__(self, url, env):
        self.url = url
        self.env = env

    def manage(self, *args, input=None):
        """Run a management command against the server's database."""
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            input=input,
            capture_output=True,
            # No controlling terminal: getpass() then reads `input` instead of a real terminal.
            start_new_session=True,
            text=True,
            check=True,
        )


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    if _skip_reason():
        pytest.skip(_skip_reason())
    tmp = tmp_path_factory.mktemp("e2e-server")
    database_url, drop_database = _throwaway_database(tmp)
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": "e2e-only-" + uuid.uuid4().hex,
        "CONTACT_ENCRYPTION_KEYS": "ZTJlLW9ubHktbm90LXNlY3JldC1rZXktMDAwMDAwMDA=",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        # The workers share this run's own cache folder (the embedded default's kind).
        "CACHE_DIR": str(tmp / "cache"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on the loopback: no HTTPS redirect, cookies without the Secure flag.
        "HTTPS": "false",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        # A browser fills the form in well under the few seconds a person needs, and the
        # suite sends more reports and looks up more codes than one person would in an hour.
        "SUBMISSION_MIN_SECONDS": "0",
        "SUBMISSIONS_PER_HOUR": "1000",
        "RECEIPT_LOOKUPS_PER_HOUR": "1000",
    }
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"], ["load_seeds"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    process = subprocess.Popen(
        [gunicorn, "-c", "python:tracker.ops.gunicorn", "tracker.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/", timeout=2)  # noqa: S310 - our own loopback server
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                drop_database()
                raise RuntimeError("the app server did not start") from None
            time.sleep(0.2)
    try:
        yield Server(url, env)
    finally:
        process.terminate()
        process.wait(timeout=10)
        drop_database()


@pytest.fixture(scope="session")
def browser():
    if _skip_reason():
        pytest.skip(_skip_reason())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Recorder:
    """Every request a page made, so tests can check origins and bytes."""

    def __init__(self):
        self.requests = []

    def on_request(self, request):
        self.requests.append(request)


@pytest.fixture
def make_page(browser, request):
    contexts = []

    def make(**context_options):
        context = browser.new_context(**context_options)
        contexts.append(context)
        page = context.new_page()
        recorder = Recorder()
        page.on("request", recorder.on_request)
        page.recorder = recorder
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(make_page):
    return make_page(locale="en-GB")


@pytest.fixture
def screenshot(request):
    """Save a full-page screenshot named after the test and the step."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, step):
        test = request.node.name.replace("/", "_").replace("[", "-").rstrip("]")
        name = f"{test}-{step}"
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take


def run_axe(page):
    """Serious and critical accessibility violations axe-core finds on the page."""
    if not AXE_JS.exists():
        reason = f"axe-core is missing: run `npm ci` in {AXE_JS.parents[2]}"
        if os.environ.get("E2E_REQUIRED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    # Evaluated through the DevTools protocol, which the page's CSP does not govern:
    # the page under test stays exactly as a reader gets it.
    page.evaluate(AXE_JS.read_text())
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


# --- Submission and moderation side -------------------------------------------------------

RECEIPT_CODE = r"[A-Z0-9]{4}(?:-[A-Z0-9]{4}){4}"


def translated(text, language):
    """`text` as the app shows it in `language`, from the same catalogues: tests find fields
    by their label as a reader sees it, which checks that the label is tied to its field."""
    from django.utils import translation

    with translation.override(language):
        return translation.gettext(text)


def photo_with_location(path):
    """A small JPEG whose EXIF says where it was taken, as a phone camera writes it."""
    from PIL import Image

    image = Image.new("RGB", (64, 48), (120, 140, 90))
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)  # GPSInfo
    gps.update({1: "N", 2: (50.0, 36.0, 0.0), 3: "E", 4: (36.0, 13.0, 0.0)})
    exif[0x010F] = "ExampleCam"  # Make
    image.save(path, "JPEG", exif=exif)
    return path


class Moderator:
    def __init__(self, username, password, secret):
        self.username = username
        self.password = password
        self.secret = secret

    def code(self):
        """The authenticator app's current code (RFC 6238, as django-otp checks it)."""
        from django_otp.oath import totp

        return f"{totp(self.secret):06d}"


@pytest.fixture
def make_moderator(server):
    """Create a moderator with create_moderator, answering its password prompts, and keep
    the TOTP secret it prints, as a moderator's authenticator app would."""

    def make(username):
        password = "e2e-" + uuid.uuid4().hex
        result = server.manage("create_moderator", username, input=f"{password}\n{password}\n")
        uri = re.search(r"otpauth://\S+", result.stdout).group(0)
        secret = parse_qs(urlsplit(uri).query)["secret"][0]
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        return Moderator(username, password, key)

    return make


def log_in(page, server, moderator, *, with_code=True):
    page.goto(server.url + "/accounts/login/")
    page.get_by_label("Username").fill(moderator.username)
    page.get_by_label("Password").fill(moderator.password)
    if with_code:
        page.get_by_label("Code from your authenticator app").fill(moderator.code())
    page.get_by_role("button", name="Log in").click()
