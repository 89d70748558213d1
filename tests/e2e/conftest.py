"""Browser tests: Debian's Chromium driven by Playwright against the app under gunicorn.

The server runs as a separate process on its own throwaway database (PostgreSQL when
DATABASE_URL points at PostgreSQL, a temporary SQLite file otherwise), migrated and loaded
with the seed cases, with DEBUG off and collected static files, as in production.
Screenshots go to artifacts/e2e/ (not committed). Without Chromium or Playwright the tests
are skipped with a message that says what to install.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

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
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on the loopback: no HTTPS redirect, cookies without the Secure flag.
        "HTTPS": "false",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
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
        [gunicorn, "-c", "python:tracker.gunicorn", "tracker.wsgi:application"],
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
        name = f"{request.node.name}-{step}".replace("/", "_").replace("[", "-").rstrip("]")
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
