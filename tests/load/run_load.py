"""Load and fault test: gunicorn on a throwaway PostgreSQL database, 50 readers on the
listing and the search and 10 submitters sending the real form, for a fixed time.

    .venv/bin/python tests/load/run_load.py                  # 60 s, then the checks
    .venv/bin/python tests/load/run_load.py --duration 15    # a short run
    .venv/bin/python tests/load/run_load.py --restart-db     # restarts PostgreSQL mid-run

Checks (exit status 1 if one fails):
- no 5xx answer (with --restart-db: no 5xx but the friendly 503 outage page, and the
  site answers again by itself; the seconds to recover are reported);
- every receipt code handed out belongs to a stored submission, and (without
  --restart-db) there are exactly as many submissions as receipts.

Only 127.0.0.1 is used. The database (created from DATABASE_URL's server, default
postgres://postgres@127.0.0.1:5432) is dropped at the end, also after a failure.
--restart-db restarts the whole PostgreSQL cluster: never run it on a server others use.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RECEIPT_LOOKALIKES = str.maketrans("АВЕКМНРСТХ", "ABEKMHPCTX")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (60)")
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--submitters", type=int, default=10)
    parser.add_argument("--port", type=int, default=8370, help="gunicorn on 127.0.0.1:PORT")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3)")
    parser.add_argument(
        "--database-server",
        default=os.environ.get("LOAD_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server to create the throwaway database on",
    )
    parser.add_argument(
        "--restart-db",
        action="store_true",
        help="restart PostgreSQL halfway (pg_ctlcluster); never on a shared server",
    )
    parser.add_argument(
        "--outage-db",
        type=int,
        default=0,
        metavar="SECONDS",
        help="halfway, cut every connection to the throwaway database and refuse new ones "
        "for SECONDS: a restart as the app sees it, harmless to others on a shared server",
    )
    parser.add_argument("--pg-cluster", default="main")
    parser.add_argument("--pg-version", default="", help="default: the one in /etc/postgresql")
    return parser.parse_args()


# --- the throwaway database ----------------------------------------------------------------


def admin_connection(server):
    connection = psycopg2.connect(server.rstrip("/") + "/postgres")
    connection.autocommit = True
    return connection


def administer(server, statement):
    connection = admin_connection(server)
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def create_database(server, name):
    administer(server, f'CREATE DATABASE "{name}"')


def drop_database(server, name):
    administer(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_url(server, name):
    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


# --- the server -------------------------------------------------------------------------------


def server_environment(args, url, workdir):
    """Production settings (DEBUG off) over plain http on loopback, with the abuse limits
    opened for one client address that stands for ten people."""
    secret = secrets.token_urlsafe(50)
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "false",
        "HTTPS": "false",
        "SECRET_KEY": secret,
        "RECEIPT_HASH_KEY": secret,
        "CONTACT_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        "GUNICORN_WORKERS": str(args.workers),
        # Every submitter comes from 127.0.0.1: the per-client limits would stop them.
        "SUBMISSIONS_PER_HOUR": "1000000",
        "RECEIPT_LOOKUPS_PER_HOUR": "1000000",
        "SUBMISSIONS_SITE_PER_HOUR": "1000000",
        # The submitters wait 1.5 s between loading and sending the form.
        "SUBMISSION_MIN_SECONDS": "1",
        "LOG_LEVEL": "WARNING",
    }


def manage(environment, *command):
    subprocess.run([BIN / "python", "manage.py", *command], cwd=ROOT, env=environment, check=True)


def start_server(environment, log_path, port):
    log = open(log_path, "w")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(
        [BIN / "gunicorn", "-c", "python:tracker.ops.gunicorn", "tracker.wsgi"],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/cases/", timeout=5) as answer:
                if answer.status == 200:
                    return process
        except OSError:
            time.sleep(0.5)
    stop_server(process)
    raise SystemExit(f"gunicorn did not answer on port {port}; see {log_path}")


def stop_server(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- the restart ------------------------------------------------------------------------------


def postgres_version(args):
    if args.pg_version:
        return args.pg_version
    versions = sorted(path.name for path in Path("/etc/postgresql").iterdir())
    return versions[-1]


def outage_halfway(args, times, name):
    """The throwaway database alone goes away for args.outage_db seconds: its connections
    are cut and new ones refused, then allowed again (other databases are untouched)."""
    time.sleep(args.duration / 2)
    times["restart_started"] = time.time()
    administer(args.database_server, f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
    terminate = (
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "  # noqa: S608 (our own name)
        f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    )
    administer(args.database_server, terminate)
    time.sleep(args.outage_db)
    administer(args.database_server, f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
    times["restart_done"] = time.time()


def restart_halfway(args, times):
    time.sleep(args.duration / 2)
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", postgres_version(args)]
    times["restart_started"] = time.time()
    subprocess.run([*command, args.pg_cluster, "restart"], check=True)
    times["restart_done"] = time.time()


# --- the checks ----------------------------------------------------------------------------


def receipt_hash(code, key):
    normal = "".join(char for char in code.upper().translate(RECEIPT_LOOKALIKES) if char.isalnum())
    return hmac.new(key.encode(), normal.encode(), hashlib.sha256).hexdigest()


def stored_receipt_hashes(url):
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT receipt_hash FROM submissions_submission")
        return {row[0] for row in cursor.fetchall()}


def recovery(requests, times):
    """Seconds from the restart until the readers were served again for good, and the
    outage as the readers saw it (first and last failed read)."""
    start = times.get("restart_started")
    if start is None:
        return None
    reads = sorted((when, status) for when, kind, status, _friendly in requests if kind == "read")
    failed = [when for when, status in reads if when >= start and status != 200]
    if not failed:
        return {"seconds": 0.0, "failed_reads": 0}
    served_again = next(
        (when for when, status in reads if when > failed[-1] and status == 200), None
    )
    return {
        "seconds": None if served_again is None else round(served_again - start, 1),
        "failed_reads": len(failed),
        "first_failure_after_restart": round(failed[0] - start, 1),
        "last_failure_after_restart": round(failed[-1] - start, 1),
    }


def evaluate(args, report, hashes, key, times):
    requests, receipts = report["requests"], report["receipts"]
    statuses = Counter(status for _when, _kind, status, _friendly in requests)
    server_errors = [item for item in requests if item[2] >= 500]
    unfriendly = [item for item in server_errors if not (item[2] == 503 and item[3])]
    lost = [code for code in receipts if receipt_hash(code, key) not in hashes]
    results = {
        "duration_s": args.duration,
        "readers": args.readers,
        "submitters": args.submitters,
        "requests": len(requests),
        "requests_per_s": round(len(requests) / args.duration, 1),
        "statuses": dict(sorted(statuses.items())),
        "server_errors": len(server_errors),
        "server_errors_not_the_503_page": len(unfriendly),
        "receipts": len(receipts),
        "submissions_stored": len(hashes),
        "receipts_lost": len(lost),
    }
    failures = []
    if lost:
        failures.append(f"{len(lost)} submissions with a receipt are not in the database")
    if args.restart_db or args.outage_db:
        results["restart"] = recovery(requests, times)
        if unfriendly:
            failures.append(f"{len(unfriendly)} 5xx answers were not the friendly 503 page")
        if results["restart"]["seconds"] is None:
            failures.append("the readers were not served again after the restart")
        results["submissions_without_receipt"] = len(hashes) - (len(receipts) - len(lost))
    else:
        if server_errors:
            failures.append(f"{len(server_errors)} answers were 5xx")
        if len(hashes) != len(receipts):
            failures.append(f"{len(hashes)} submissions stored, {len(receipts)} receipts given")
    if statuses.get(0):
        failures.append(f"{statuses[0]} requests got no HTTP answer at all")
    if not receipts:
        failures.append("no report was accepted: the submitters did not get through")
    return results, failures


def main():
    args = parse_args()
    name = f"refusal_load_{os.getpid()}"
    workdir = Path(tempfile.mkdtemp(prefix="refusal-load-"))
    url = database_url(args.database_server, name)
    environment = server_environment(args, url, workdir)
    report_path = workdir / "locust-report.json"
    print(f"== database {name}, work folder {workdir}")
    create_database(args.database_server, name)
    server = None
    try:
        manage(environment, "migrate", "--noinput", "--verbosity", "0")
        manage(environment, "load_seeds")
        manage(environment, "collectstatic", "--noinput", "--verbosity", "0")
        server = start_server(environment, workdir / "gunicorn.log", args.port)
        print(f"== gunicorn on 127.0.0.1:{args.port}; load for {args.duration} s")
        times = {}
        restarter = None
        if args.restart_db:
            restarter = threading.Thread(target=restart_halfway, args=(args, times))
            restarter.start()
        elif args.outage_db:
            restarter = threading.Thread(target=outage_halfway, args=(args, times, name))
            restarter.start()
        locust_environment = {
            **os.environ,
            "LOAD_READERS": str(args.readers),
            "LOAD_SUBMITTERS": str(args.submitters),
            "LOAD_REPORT": str(report_path),
        }
        users = args.readers + args.submitters
        subprocess.run(
            [
                BIN / "locust",
                "-f",
                Path(__file__).with_name("locustfile.py"),
                "--headless",
                "--only-summary",
                "--users",
                str(users),
                "--spawn-rate",
                str(users),
                "--run-time",
                f"{args.duration}s",
                "--stop-timeout",
                "35",
                "--host",
                f"http://127.0.0.1:{args.port}",
            ],
            cwd=workdir,
            env=locust_environment,
            check=False,  # locust fails on any failed request; the checks below decide
        )
        if restarter:
            restarter.join()
        stop_server(server)
        report = json.loads(report_path.read_text())
        hashes = stored_receipt_hashes(url)
        results, failures = evaluate(args, report, hashes, environment["SECRET_KEY"], times)
    finally:
        if server is not None:
            stop_server(server)
        drop_database(args.database_server, name)
        for folder in ("static", "media"):
            shutil.rmtree(workdir / folder, ignore_errors=True)
    (workdir / "results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    print(f"== results and the server log are in {workdir}")
    for failure in failures:
        print(f"!! {failure}")
    print("== load test FAILED" if failures else "== load test passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
