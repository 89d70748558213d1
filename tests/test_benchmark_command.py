import json
import socket

import pytest
from django.core.management import CommandError, call_command

from tracker.management.commands.benchmark import (
    format_report,
    parse_wrk,
    percentile,
    target_for,
)


def test_percentiles_pick_from_the_measured_values():
    values = [float(value) for value in range(1, 101)]
    assert percentile(values, 0.5) == 51.0
    assert percentile(values, 0.95) == 95.0
    assert percentile([7.0], 0.95) == 7.0


def test_listing_pages_have_targets_and_other_pages_do_not():
    assert target_for("kind", "/cases/?kind=other") == 50
    assert target_for("3 filters A", "/cases/?a=1&b=2&c=3") == 100
    assert target_for("case detail", "/cases/1/") is None
    assert target_for("home", "/") is None


def test_the_report_marks_a_missed_target():
    row = {"url": "/cases/", "status": 200, "queries": 5, "bytes": 2048, "gzip_bytes": 512}
    result = {
        "date": "2026-01-01T00:00:00+00:00",
        "published_cases": 10,
        "machine": {"cpus": 2, "memory": "4 GiB", "database": "PostgreSQL 15"},
        "options": {"concurrency": 4, "workers": 2},
        "load_average": {"start": (1.5, 2.25, 3.0), "end": (4.0, 2.5, 3.0)},
        "urls": [
            {
                **row,
                "name": "listing",
                "p50_ms": 10.0,
                "p95_ms": 20.0,
                "target_ms": 50,
                "cpu_p50_ms": 9.5,
            },
            {**row, "name": "outlet", "p50_ms": 40.0, "p95_ms": 60.0, "target_ms": 50},
            {
                **row,
                "url": "/stats/?force=army",
                "name": "stats, force",
                "p50_ms": 5.0,
                "p95_ms": 6.0,
                "target_ms": None,
                "first_ms": 450.0,
                "first_target_ms": 300,
            },
        ],
        "throughput": {
            "uncached": {
                "trivial_rps": 100.0,
                "listing_rps": 12.0,
                "ratio": 0.12,
                "ratios": [0.16, 0.12, 0.08],
                "load_average": 1.5,
            },
            "cached": {
                "trivial_rps": 100.0,
                "listing_rps": 60.0,
                "ratio": 0.6,
                "load_average": 1.2,
            },
        },
        "css_gzip_bytes": 1000,
        "listing_html_and_css_gzip_bytes": 1512,
    }
    report = format_report(result)
    assert "| listing" in report and "≤50 ✓" in report
    assert "| outlet" in report and "≤50 ✗" in report
    assert "| stats, force" in report and "450 ✗" in report
    assert "at the start: 1.50, 2.25, 3.00; at the end: 4.00, 2.50, 3.00" in report
    assert (
        "12% of the trivial view's 100.0 req/s, the median of 16%, 12%, 8% (target ≥ 15% ✗; "
        "load average 1.5)"
    ) in report
    assert "60% of the trivial view's 100.0 req/s, the median of 60% (target ≥ 50% ✓" in report
    assert "CPU: 9.5 ms p50 (target ≤ 8 ms ✗)" in report


WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8330/cases/
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    21.33ms    4.12ms  48.10ms   80.00%
    Req/Sec    94.10     10.52   120.00     70.00%
  1882 requests in 10.01s, 50.31MB read
Requests/sec:    188.02
Transfer/sec:      5.03MB
"""


def test_wrk_requests_per_second_are_read_from_its_report():
    assert parse_wrk(WRK_OUTPUT) == 188.02


def test_a_wrk_run_with_failed_requests_is_not_a_figure():
    failed = WRK_OUTPUT.replace("Requests/sec", "  Non-2xx or 3xx responses: 7\nRequests/sec")
    with pytest.raises(CommandError) as error:
        parse_wrk(failed)
    assert "Non-2xx or 3xx responses: 7" in str(error.value)


def free_port(ports=range(8335, 8340)):
    """The first free port of the range the project's test servers use."""
    for port in ports:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip(f"no free port in {ports}")


@pytest.fixture
def committed_cases(transactional_db):
    """Cases the server process can see: committed (a transactional test), and flushed
    afterwards, with the data migrations' rows restored (serialized_rollback)."""
    call_command("generate_cases", 120, verbosity=0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_measures_every_page_through_a_real_server(committed_cases, tmp_path, capsys):
    output = tmp_path / "benchmark.json"
    call_command(
        "benchmark",
        port=free_port(),
        workers=1,
        requests=2,
        warmup=1,
        duration=0.3,
        concurrency=1,
        json_file=str(output),
    )
    result = json.loads(output.read_text())
    names = [row["name"] for row in result["urls"]]
    assert {"home", "listing", "outlet", "search ru", "search en", "case detail", "api"} <= set(
        names
    )
    assert all(row["status"] == 200 for row in result["urls"])
    listing_rows = [row for row in result["urls"] if row["url"].startswith("/cases/?")]
    assert all(0 < row["queries"] <= 6 for row in listing_rows)
    assert all(row["p50_ms"] >= row["cpu_p50_ms"] > 0 for row in listing_rows)
    assert result["throughput"]["uncached"]["trivial_rps"] > 0
    assert result["throughput"]["cached"]["listing_rps"] > 0
    assert "load_average" in result["throughput"]["cached"]
    # Three rounds of the pair, the median ratio reported.
    ratios = result["throughput"]["uncached"]["ratios"]
    assert len(ratios) == 3
    assert result["throughput"]["uncached"]["ratio"] == sorted(ratios)[1]
    out = capsys.readouterr().out
    assert "| listing" in out
    # The aggregates a task worker keeps were computed first, as a worker would have.
    assert "Kept tracker.stats.numbers_by_single_filter" in out
