"""What `manage.py benchmark` adds to the server it starts, and nothing else does.

`tracker.ops.settings_benchmark` (the production settings plus this middleware and URLconf)
is used only by the gunicorn that the benchmark command starts on 127.0.0.1; the
production settings never load this module.
"""

import time

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path


class ServerTimingMiddleware:
    """Adds `Server-Timing: app;dur=<ms>, cpu;dur=<ms>, sql;dur=<ms>;desc="<queries>"`:
    the wall time the whole Django stack took for the request, the CPU time this worker
    spent on it (which does not grow when other processes compete for the CPUs), and
    the SQL it ran. Outermost middleware, so every other middleware's cost is included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        queries = {"count": 0, "seconds": 0.0}

        def count(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                queries["count"] += 1
                queries["seconds"] += time.perf_counter() - started

        started, cpu_started = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        response["Server-Timing"] = (
            f"app;dur={elapsed * 1000:.3f}, cpu;dur={cpu * 1000:.3f}, "
            f'sql;dur={queries["seconds"] * 1000:.3f};desc="{queries["count"]}"'
        )
        return response


def trivial(request):
    """The cheapest response the stack can give: the ceiling for any page's throughput."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("_benchmark/trivial/", trivial),
    path("", include("tracker.urls")),
]
