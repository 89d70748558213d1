"""Settings of the server `manage.py benchmark` starts: the production settings, plus a
timing header and a trivial view to compare against (tracker/benchmarking.py)."""

from tracker.settings import *  # noqa: F403
from tracker.settings import MIDDLEWARE

MIDDLEWARE = ["tracker.ops.benchmarking.ServerTimingMiddleware", *MIDDLEWARE]
ROOT_URLCONF = "tracker.ops.benchmarking"
