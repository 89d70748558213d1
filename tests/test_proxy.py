"""The compose proxy's nginx configuration (tracker/ops/nginx.conf), run for real in front
of a small upstream on 127.0.0.1: the limits the app expects, no client address and no
query string in its log, no line for a report, and nothing a submitter sends written to
its disk. Only the upstream's address and the proxy's port and paths are changed for the
test. Needs Debian's nginx (CI installs it; elsewhere the tests skip without it).
"""

import os
import re
import shutil
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from tests.object_store import free_ports

CONF = Path(settings.BASE_DIR) / "tracker" / "ops" / "nginx.conf"


class Upstream(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, watched):
        super().__init__(("127.0.0.1", 0), Handler)
        self.seen = []
        # The proxy's temporary folders, looked at while a request is being answered.
        self.watched = watched
        self.nginx_pid = None

    def proxy_files(self):
        """Files under the proxy's temporary folders that nginx holds open now, deleted
        ones included (nginx unlinks a temporary file as soon as it has opened it)."""
        pids = [self.nginx_pid] + [
            int(stat.parent.name)
            for stat in Path("/proc").glob("[0-9]*/stat")
            if _parent(stat) == self.nginx_pid
        ]
        held = []
        for pid in pids:
            for fd in Path(f"/proc/{pid}/fd").glob("*"):
                try:
                    target = os.readlink(fd)
                except OSError:
                    continue
                if any(target.startswith(str(folder)) for folder in self.watched):
                    held.append(target)
        return held


def _parent(stat):
    try:
        return int(stat.read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.seen.append(
            {
                "path": self.path,
                "body": len(body),
                "xff": self.headers.get("X-Forwarded-For"),
                "proxy_files": self.server.proxy_files(),
            }
        )
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_POST = _answer


@pytest.fixture
def proxy(tmp_path):
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing: .ci/run installs Debian's nginx-light")
        pytest.skip("needs nginx: apt-get install nginx-light")
    [port] = free_ports(1)
    log = tmp_path / "access.log"
    temp = {name: tmp_path / name for name in ("body", "proxy")}
    for folder in temp.values():
        folder.mkdir()
    upstream = Upstream(list(temp.values()))
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    conf = CONF.read_text()
    replacements = {
        "listen 8080;": f"listen 127.0.0.1:{port};",
        "set $app http://app:8000;": f"set $app http://127.0.0.1:{upstream.server_port};",
        "pid /tmp/nginx.pid;": f"pid {tmp_path / 'nginx.pid'};",
        "access_log /dev/stdout private": f"access_log {log} private",
        "server_tokens off;": (
            f"server_tokens off; client_body_temp_path {temp['body']}; "
            f"proxy_temp_path {temp['proxy']};"
        ),
    }
    for old, new in replacements.items():
        assert old in conf, old
        conf = conf.replace(old, new)
    conf = re.sub(r"^\s*resolver .*$", "", conf, flags=re.M)
    path = tmp_path / "nginx.conf"
    path.write_text(conf)
    process = subprocess.Popen(
        [nginx, "-c", str(path), "-p", str(tmp_path), "-g", "daemon off; user root;"],
        stderr=subprocess.PIPE,
    )
    upstream.nginx_pid = process.pid
    upstream.nginx = process
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(url + "/ready")
            break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(process.stderr.read().decode()) from None
            time.sleep(0.1)
    upstream.seen.clear()
    yield url, upstream, log, temp
    process.terminate()
    process.wait(timeout=10)
    upstream.shutdown()


def log_lines(log, upstream):
    """The access log once nginx has written every line: nginx logs a request after its
    response is sent, so the client may have the response first. A graceful stop (QUIT)
    lets the workers finish and write their lines; the proxy is not used afterwards."""
    upstream.nginx.send_signal(signal.SIGQUIT)
    upstream.nginx.wait(timeout=10)
    return log.read_text().splitlines() if log.exists() else []


def test_a_reader_is_logged_without_address_and_without_the_query(proxy):
    url, upstream, log, _temp = proxy
    response = httpx.get(
        url + "/cases/?q=Belgorod+unit", headers={"X-Forwarded-For": "203.0.113.9"}
    )

    assert response.status_code == 200
    # The app gets the address to hash (one proxy: TRUSTED_PROXY_COUNT=1 takes the last).
    assert upstream.seen[-1]["xff"] == "203.0.113.9, 127.0.0.1"
    assert upstream.seen[-1]["proxy_files"] == []
    [line] = [line for line in log_lines(log, upstream) if "/cases/" in line]
    assert '"GET /cases/" 200' in line
    assert "127.0.0.1" not in line and "203.0.113.9" not in line and "Belgorod" not in line


def test_a_report_reaches_the_app_whole_unlogged_and_never_on_the_proxys_disk(proxy):
    url, upstream, log, temp = proxy
    body = os.urandom(20 * 1024 * 1024)

    response = httpx.post(url + "/submit/", content=body, timeout=60)

    assert response.status_code == 200
    seen = upstream.seen[-1]
    assert (seen["path"], seen["body"], seen["xff"]) == ("/submit/", len(body), "127.0.0.1")
    # Not even while the app was receiving it.
    assert seen["proxy_files"] == []
    assert not any("/submit/" in line for line in log_lines(log, upstream))
    for folder in temp.values():
        assert [path for path in folder.rglob("*") if path.is_file()] == []


def test_a_body_larger_than_any_report_is_refused_by_the_proxy(proxy):
    url, upstream, _log, _temp = proxy
    largest = settings.SUBMISSION_MAX_TOTAL_UPLOAD + settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    response = httpx.post(url + "/submit/", content=b"x" * (largest + 2 * 1024 * 1024))

    assert response.status_code == 413
    assert upstream.seen == []


def test_a_header_longer_than_gunicorn_takes_is_refused_by_the_proxy(proxy):
    url, upstream, _log, _temp = proxy

    response = httpx.get(url + "/cases/", headers={"Cookie": "x=" + "a" * 9000})

    assert response.status_code in (400, 494)
    assert upstream.seen == []
