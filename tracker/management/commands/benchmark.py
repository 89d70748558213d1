import datetime
import gzip
import http.client
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tracker.models import Case, Region

HOST = "127.0.0.1"
TIMING_RE = re.compile(r"app;dur=([\d.]+), cpu;dur=([\d.]+), sql;dur=([\d.]+);desc=\"(\d+)\"")
LISTING_TARGET_MS = 50
COMBINED_TARGET_MS = 100
STATS_COLD_TARGET_MS = 300
STATS_WARM_TARGET_MS = 10


class Command(BaseCommand):
    help = (
        "Measure the public pages through a real server: starts gunicorn on 127.0.0.1 "
        "against the current database, requests a fixed set of URLs, and prints p50/p95 "
        "server time, SQL queries, response size (raw and gzip) and the throughput of "
        "/cases/ relative to a trivial view on the same server, measured by wrk (keep-alive) "
        "uncached and cached, each target beside its figure. Meant for a database "
        "filled by `generate_cases 1000000`; see README, Performance."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8330)
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
        parser.add_argument("--requests", type=int, default=40, help="Timed requests per URL.")
        parser.add_argument("--warmup", type=int, default=3, help="Untimed requests per URL.")
        parser.add_argument(
            "--duration", type=float, default=10.0, help="Seconds per throughput run."
        )
        parser.add_argument(
            "--rounds",
            type=int,
            default=3,
            help="Throughput pairs (trivial view, then the page) per measurement; the "
            "median ratio is reported.",
        )
        parser.add_argument(
            "--concurrency", type=int, default=4, help="wrk's keep-alive connections."
        )
        parser.add_argument("--json", dest="json_file", help="Also write the results here.")
        parser.add_argument(
            "--no-aggregates",
            dest="aggregates",
            action="store_false",
            help="Do not compute the aggregates the task worker keeps before measuring.",
        )

    def keep_aggregates(self):
        """What the task worker computes after a change (tracker.cache.aggregate), computed
        now for the current data, as a worker running beside the servers would have: the
        servers measured have no worker, and at a million cases the statistics of every
        single filter take some 20 s."""
        from tracker.cache import refresh_aggregate
        from tracker.facets import GLOBAL_COUNTS
        from tracker.stats import (
            BROAD_COMBINATIONS,
            BY_SINGLE_FILTER,
            EVERY_CASE,
            POSSIBLE_MONTHS,
        )
        from tracker.views import HOME_FIGURES

        paths = [HOME_FIGURES, EVERY_CASE, GLOBAL_COUNTS]
        if connection.vendor == "postgresql":
            # Kept on PostgreSQL only.
            paths += [BY_SINGLE_FILTER, BROAD_COMBINATIONS, POSSIBLE_MONTHS]
        for path in paths:
            began = time.perf_counter()
            refresh_aggregate.call(path)
            self.stdout.write(f"Kept {path}: {time.perf_counter() - began:.1f} s")

    def handle(self, *args, **options):
        urls = benchmark_urls()
        if options["aggregates"]:
            self.keep_aggregates()
        started = datetime.datetime.now(datetime.UTC)
        load_before = os.getloadavg()
        with tempfile.TemporaryDirectory() as static_root:
            env = server_environment(static_root)
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                env=env,
                check=True,
                cwd=settings.BASE_DIR,
            )
            with running_server(env, options, cache_seconds=0, stderr=self.stderr) as base:
                rows = [measure(base, name, url, options) for name, url in urls]
                # /stats/ belongs to the set only where the site has it.
                rows = [row for row in rows if row["status"] != 404]
                uncached = throughput_pair(base, "/cases/", options)
            with running_server(env, options, cache_seconds=60, stderr=self.stderr) as base:
                cached_rows = [
                    measure(base, f"{name} (cached)", url, options)
                    for name, url in urls
                    if url in ("/", "/cases/") or url.startswith("/stats/")
                ]
                cached = throughput_pair(base, "/cases/", options)
                css = fetch(base, static_css_url(base))
        listing = next(row for row in rows if row["url"] == "/cases/")
        result = {
            "date": started.isoformat(timespec="seconds"),
            "machine": machine(),
            "published_cases": Case.objects.public().count(),
            # The machine may be shared: figures are comparable only at a similar load.
            "load_average": {"start": load_before, "end": os.getloadavg()},
            "options": {
                k: options[k] for k in ("workers", "requests", "duration", "rounds", "concurrency")
            },
            "urls": rows + cached_rows,
            "throughput": {"uncached": uncached, "cached": cached},
            "css_gzip_bytes": len(gzip.compress(css.body)),
            "listing_html_and_css_gzip_bytes": listing["gzip_bytes"] + len(gzip.compress(css.body)),
        }
        self.stdout.write(format_report(result))
        if options["json_file"]:
            Path(options["json_file"]).write_text(json.dumps(result, indent=2, ensure_ascii=False))


def benchmark_urls():
    """The fixed URL set: home, the listing alone, each filter alone, combinations,
    searches in both languages, a deep page, a detail page and /stats/."""
    public = Case.objects.public()
    region = Region.objects.filter(code="RU-KB").first() or Region.objects.order_by("pk").first()
    case = public.order_by("-published_at", "-id").first()
    if case is None or region is None:
        raise CommandError("No published cases: run `manage.py generate_cases 1000000` first.")
    # Page 2,000 at a million cases; on a smaller database, a page halfway through.
    deep = min(2000, max(2, public.count() // 50))
    combined_region = "RU-MOW" if Region.objects.filter(code="RU-MOW").exists() else region.code
    urls = [
        ("home", "/"),
        ("listing", "/cases/"),
        ("100 per page", "/cases/?per_page=100"),
        ("from date", "/cases/?date_from=2026-01-01"),
        ("until date", "/cases/?date_to=2022-03-31"),
        ("from date, oldest first", "/cases/?date_from=2024-06-15&sort=event_date"),
        ("dates, newest first", "/cases/?date_from=2024-06-15&date_to=2024-06-30"),
        ("region", f"/cases/?region={region.code}"),
        ("force", "/cases/?force=army_navy"),
        ("force group", "/cases/?force=rosgvardia"),
        ("service status", "/cases/?service_status=officer"),
        ("kind", "/cases/?kind=self_injury"),
        ("outcome", "/cases/?outcome=court_partly_granted"),
        ("confidence", "/cases/?confidence=unconfirmed"),
        ("people", "/cases/?people=50"),
        ("outlet", "/cases/?outlet=Kyiv+Independent"),
        ("sort: oldest", "/cases/?sort=event_date"),
        ("sort: people", "/cases/?sort=-people"),
        ("sort: published", "/cases/?sort=-published"),
        ("3 filters A", f"/cases/?region={combined_region}&kind=left_unit&outcome=dismissed"),
        ("3 filters B", "/cases/?force=army&date_from=2024-01-01&confidence=confirmed"),
        ("3 filters C", "/cases/?q=Гомель&service_status=mobilised&outcome=criminal_case"),
        # Issue 18's slow combinations: two other-table filters meeting a column or search.
        ("3 filters D", "/cases/?outlet=Mediazona&kind=refused_deploy&people=5"),
        ("3 filters E", "/cases/?q=контракт&service_status=contract&outcome=dismissed"),
        ("outlet + outcome", "/cases/?outlet=Meduza&outcome=dismissed"),
        ("search ru", "/cases/?q=Гомель"),
        # Across languages and scripts (issue 13): one case written three ways.
        ("search: Псков", "/cases/?q=Псков"),
        ("search: Pskov", "/cases/?q=Pskov"),
        ("search: отказ", "/cases/?q=отказ"),
        ("search ru, common", "/cases/?q=контрактники"),
        ("search ru, prefix", "/cases/?q=десантн"),
        ("search en", "/cases/?q=airborne"),
        ("search en, rare", "/cases/?q=military+unit+3723"),
        (f"page {deep:,}", f"/cases/?page={deep}"),
        (f"page {deep:,} by link", f"KEYSET:/cases/?page={deep - 1}"),
        ("case detail", case.get_absolute_url()),
        ("stats", "/stats/"),
        ("stats, force", "/stats/?force=army_ground"),
        ("stats, 3 filters", "/stats/?force=army&kind=left_unit&outcome=dismissed"),
        ("stats, 2 filters", "/stats/?force=rosgvardia&service_status=contract"),
        ("stats, dates + kind", "/stats/?kind=self_injury&date_from=2024-01-01"),
        # Two broad filters (225,000 cases at a million), kept by a task; and dates over
        # broad selections, added up from their kept months, with the edge months of a
        # range that cuts them counted when asked.
        ("stats, 2 broad filters", "/stats/?force=army&service_status=contract"),
        ("stats, dates + force", "/stats/?force=army&date_from=2025-01-01"),
        ("stats, dates", "/stats/?date_from=2024-01-01"),
        (
            "stats, mid-month dates + status",
            "/stats/?service_status=contract&date_from=2023-03-15&date_to=2025-06-20",
        ),
        # Issue 18, target 2: the API as fast as the listing.
        ("api", "/api/cases/"),
        ("api, force", "/api/cases/?force=army_ground"),
        ("api, search", "/api/cases/?q=контракт"),
        ("api, 3 filters", "/api/cases/?force=army&kind=left_unit&outcome=dismissed"),
    ]
    return [(name, urllib.parse.quote(url, safe="/?=&+:%")) for name, url in urls]


def server_environment(static_root):
    database = connection.settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        database_url = f"sqlite:///{database['NAME']}"
    else:
        database_url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(
            **{key: database[key] or "" for key in ("USER", "HOST", "PORT", "NAME")}
        )
        if database.get("PASSWORD"):
            database_url = database_url.replace("@", f":{database['PASSWORD']}@", 1)
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tracker.ops.settings_benchmark",
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,
        "CONTACT_ENCRYPTION_KEYS": ",".join(settings.CONTACT_ENCRYPTION_KEYS),
        "DATABASE_URL": database_url,
        "STATIC_ROOT": static_root,
        "ALLOWED_HOSTS": HOST,
        # Plain http on the loopback: no redirect to https.
        "HTTPS": "false",
        "LOG_LEVEL": "WARNING",
        "REQUEST_LOG_LEVEL": "WARNING",
    }


@contextmanager
def running_server(env, options, *, cache_seconds, stderr):
    """gunicorn on 127.0.0.1:port for the duration of the block; stopped afterwards."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "tracker.wsgi:application",
        "-c",
        "python:tracker.ops.gunicorn",
        "--bind",
        f"{HOST}:{options['port']}",
        "--workers",
        str(options["workers"]),
        "--access-logfile",
        "/dev/null",
        "--log-level",
        "warning",
    ]
    server_env = {**env, "PUBLIC_PAGE_CACHE_SECONDS": str(cache_seconds)}
    server = subprocess.Popen(command, env=server_env, cwd=settings.BASE_DIR)  # noqa: S603
    base = f"{HOST}:{options['port']}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if fetch(base, "/_benchmark/trivial/").status == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise CommandError(f"The server on {base} did not start.")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class Response:
    def __init__(self, status, headers, body, seconds):
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds

    def timing(self):
        """(server ms, worker CPU ms, SQL ms, queries) from the Server-Timing header."""
        match = TIMING_RE.search(self.headers.get("Server-Timing", ""))
        if not match:
            return None, None, None, None
        return float(match[1]), float(match[2]), float(match[3]), int(match[4])


def fetch(base, url):
    host, port = base.split(":")
    connection_ = http.client.HTTPConnection(host, int(port), timeout=60)
    started = time.perf_counter()
    try:
        connection_.request("GET", url, headers={"Accept-Language": "en"})
        response = connection_.getresponse()
        body = response.read()
    finally:
        connection_.close()
    return Response(
        response.status, dict(response.getheaders()), body, time.perf_counter() - started
    )


def resolve(base, url):
    """`KEYSET:<url>`: the "next" link of that page, i.e. the following page reached the
    way a reader reaches it."""
    if not url.startswith("KEYSET:"):
        return url
    page = fetch(base, url.removeprefix("KEYSET:")).body.decode()
    match = re.search(r'<a rel="next" href="([^"]*)"', page)
    if not match:
        raise CommandError(f"No next link on {url}")
    return "/cases/" + match[1].replace("&amp;", "&")


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(base, name, url, options):
    url = resolve(base, url)
    # The first request may compute what later ones read from the cache (the counts of a
    # selection, the statistics of a filter): reported apart as "first".
    warmup = [fetch(base, url) for _ in range(max(1, options["warmup"]))]
    first_ms = warmup[0].timing()[0]
    responses = [fetch(base, url) for _ in range(options["requests"])]
    last = responses[-1]
    timings = [response.timing() for response in responses if response.timing()[0] is not None]
    server_ms = [ms for ms, _cpu, _sql, _queries in timings] or [0.0]
    cpu_ms = [cpu for _ms, cpu, _sql, _queries in timings] or [0.0]
    sql_ms = [sql for _ms, _cpu, sql, _queries in timings] or [0.0]
    return {
        "name": name,
        "url": url,
        "status": last.status,
        "p50_ms": round(percentile(server_ms, 0.5), 2),
        "p95_ms": round(percentile(server_ms, 0.95), 2),
        "cpu_p50_ms": round(percentile(cpu_ms, 0.5), 2),
        "sql_p50_ms": round(percentile(sql_ms, 0.5), 2),
        "client_p50_ms": round(statistics.median(r.seconds for r in responses) * 1000, 2),
        "queries": max((queries for _ms, _cpu, _sql, queries in timings), default=0),
        "bytes": len(last.body),
        "gzip_bytes": len(gzip.compress(last.body)),
        "first_ms": round(first_ms, 2) if first_ms is not None else None,
        "target_ms": target_for(name, url),
        "first_target_ms": STATS_COLD_TARGET_MS if url.startswith("/stats/") else None,
    }


def target_for(name, url):
    if url.startswith("/stats/"):
        # Warm /stats/ is its drawn page from the shared cache (the cached run).
        return STATS_WARM_TARGET_MS if name.endswith("(cached)") else None
    if not url.startswith(("/cases/?", "/api/cases/")) and url != "/cases/":
        return None
    combined = "3 filters" in name or "+" in name
    return COMBINED_TARGET_MS if combined else LISTING_TARGET_MS


WRK_RPS_RE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
WRK_ERRORS_RE = re.compile(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)")
# Issue 18: an uncached listing page costs at most 8 ms of CPU, so that its throughput is
# at least 15 % of the trivial view's; from the page cache, at least 50 %.
LISTING_CPU_TARGET_MS = 8
UNCACHED_RATIO_TARGET = 0.15
CACHED_RATIO_TARGET = 0.50


def wrk_command(base, url, options):
    """wrk with keep-alive (its default) and `concurrency` connections on at most as many
    threads as there are CPUs: a client written in C, so that the trivial view, not the
    client, is what limits the rate."""
    threads = max(1, min(options["concurrency"], os.cpu_count() or 1))
    return [
        "wrk",
        f"--threads={threads}",
        f"--connections={max(threads, options['concurrency'])}",
        f"--duration={max(1, round(options['duration']))}s",
        "--header=Accept-Language: en",
        f"http://{base}{url}",
    ]


def parse_wrk(output):
    """Requests per second from wrk's report; an error if any request failed."""
    errors = WRK_ERRORS_RE.search(output)
    if errors:
        raise CommandError(f"wrk saw failed requests: {errors[0]}")
    match = WRK_RPS_RE.search(output)
    if not match:
        raise CommandError(f"Unexpected wrk output:\n{output}")
    return float(match[1])


def throughput(base, url, options):
    """Requests per second for `duration` seconds, measured by wrk."""
    result = subprocess.run(  # noqa: S603
        wrk_command(base, url, options), capture_output=True, text=True, check=True
    )
    return parse_wrk(result.stdout)


def throughput_pair(base, url, options):
    """The trivial view's rate and the page's, one after the other on the same server, so
    that their ratio holds whatever else the machine is doing; `rounds` times, the round
    with the median ratio reported (a burst of other work on a shared machine moved a
    single ratio by a factor of two), with every round's ratio and the load average."""
    load = os.getloadavg()[0]
    rounds = []
    for _round in range(options.get("rounds") or 1):
        trivial = throughput(base, "/_benchmark/trivial/", options)
        page = throughput(base, url, options)
        rounds.append((page / trivial, trivial, page))
    ratio, trivial, page = sorted(rounds)[len(rounds) // 2]
    return {
        "trivial_rps": round(trivial, 1),
        "listing_rps": round(page, 1),
        "ratio": round(ratio, 3),
        "ratios": [round(each, 3) for each, _trivial, _page in rounds],
        "load_average": round(max(load, os.getloadavg()[0]), 2),
    }


def static_css_url(base):
    page = fetch(base, "/cases/").body.decode()
    return re.search(r'<link rel="stylesheet" href="([^"]+)"', page)[1]


def machine():
    memory = None
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages / 2**30:.0f} GiB"
    except (ValueError, OSError, AttributeError):
        pass
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT version()"
            if connection.vendor == "postgresql"
            else "SELECT 'SQLite ' || sqlite_version()"
        )
        database = cursor.fetchone()[0].split(" on ")[0]
    return {
        "cpus": os.cpu_count(),
        "memory": memory,
        "platform": platform.platform(terse=True),
        "python": platform.python_version(),
        "database": database,
    }


def _first(row):
    """The first request's time, with its verdict where there is a target for it."""
    first, target = row.get("first_ms"), row.get("first_target_ms")
    if first is None:
        return ""
    if target is None:
        return f"{first:.1f}"
    return f"{first:.0f} {'✓' if first <= target else '✗'}"


def format_report(result):
    lines = [
        f"Benchmark {result['date']} · {result['published_cases']:,} published cases · "
        f"{result['machine']['cpus']} CPUs, {result['machine']['memory']} · "
        f"{result['machine']['database']}",
        "Load average (1, 5, 15 min) at the start: "
        + ", ".join(f"{value:.2f}" for value in result["load_average"]["start"])
        + "; at the end: "
        + ", ".join(f"{value:.2f}" for value in result["load_average"]["end"]),
        "",
        f"| {'page':<24} | first ms | p50 ms | p95 ms | target | CPU ms | SQL ms | queries "
        "| KB | KB gzip |",
        f"| {'-' * 24} | -------: | -----: | -----: | -----: | -----: | -----: | ------: "
        "| ---: | ------: |",
    ]
    for row in result["urls"]:
        target = row["target_ms"]
        verdict = (
            ""
            if target is None
            else (f"≤{target} ✓" if row["p95_ms"] <= target else f"≤{target} ✗")
        )
        status = "" if row["status"] == 200 else f" [{row['status']}]"
        lines.append(
            f"| {row['name'] + status:<24} | {_first(row):>8} | "
            f"{row['p50_ms']:>6.1f} | {row['p95_ms']:>6.1f} | "
            f"{verdict:>6} | {row.get('cpu_p50_ms', 0):>6.1f} | {row.get('sql_p50_ms', 0):>6.1f} | "
            f"{row['queries']:>7} | {row['bytes'] / 1024:>4.1f} | "
            f"{row['gzip_bytes'] / 1024:>7.1f} |"
        )
    lines += [
        "p50/p95: server time of the Django stack (wall clock); CPU: p50 of the worker's CPU",
        "time; SQL: p50 of the time spent in the database. first: the first request of the",
        f"URL, which computes what the others read from the cache (/stats/: ≤{STATS_COLD_TARGET_MS}"
        " ms).",
        "",
        *target_lines(result),
        f"Listing HTML + CSS, gzip: {result['listing_html_and_css_gzip_bytes'] / 1024:.1f} KB "
        f"(CSS {result['css_gzip_bytes'] / 1024:.1f} KB).",
    ]
    return "\n".join(lines) + "\n"


def mark(met):
    return "✓" if met else "✗"


def target_lines(result):
    """Issue 18's throughput targets, each beside its figure, with the load average the
    machine had while it was measured."""
    uncached, cached = result["throughput"]["uncached"], result["throughput"]["cached"]
    clients = f"wrk, {result['options']['concurrency']} keep-alive connections"
    workers = f"{result['options']['workers']} workers"
    lines = []
    listing = next((row for row in result["urls"] if row["name"] == "listing"), None)
    if listing is not None:
        cpu = listing.get("cpu_p50_ms", 0)
        lines.append(
            f"Uncached /cases/ CPU: {cpu:.1f} ms p50 (target ≤ {LISTING_CPU_TARGET_MS} ms "
            f"{mark(cpu <= LISTING_CPU_TARGET_MS)})."
        )
    for label, figures, target in (
        ("uncached", uncached, UNCACHED_RATIO_TARGET),
        ("cached", cached, CACHED_RATIO_TARGET),
    ):
        lines.append(
            f"Throughput of /cases/ {label} ({clients}, {workers}): "
            f"{figures['listing_rps']} req/s = {figures['ratio']:.0%} of the trivial view's "
            f"{figures['trivial_rps']} req/s, the median of "
            f"{', '.join(f'{ratio:.0%}' for ratio in figures.get('ratios', [figures['ratio']]))} "
            f"(target ≥ {target:.0%} "
            f"{mark(figures['ratio'] >= target)}; load average "
            f"{figures.get('load_average', '?')})."
        )
    return lines
