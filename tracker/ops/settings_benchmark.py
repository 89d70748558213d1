"""Settings of the server `manage.py benchmark` starts: the production settings, plus a
timing header and a trivial view to compare against (tracker/benchmarking.py)."""

from tracker.settings import *  # noqa: F403
from tracker.settings import MIDDLEWARE, REST_FRAMEWORK

MIDDLEWARE = ["tracker.ops.benchmarking.ServerTimingMiddleware", *MIDDLEWARE]
ROOT_URLCONF = "tracker.ops.benchmarking"
# The API's pages are measured too: the throttle still counts every request (its cost is
# part of the figure) but lets the benchmark's hundreds through.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {**REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "100000/minute"},
}
