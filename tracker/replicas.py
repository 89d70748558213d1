"""Read replicas: which database a query goes to (DATABASE_REPLICA_URLS, README "Production").

Only the public read-only pages of an anonymous reader read from a replica: the listing,
a case's page, the statistics, the exports, the API and the feed (`REPLICA_VIEWS`), asked
with GET or HEAD, by a request without a session cookie, and not within
DATABASE_REPLICA_LAG_SECONDS of the last change to the public data (so a case published
a moment ago is never cached as absent from a lagging replica). Everything else uses the
primary: every write, everything inside a transaction (so `select_for_update` and the
reads a write depends on see the primary), every moderator page and every logged-in
request (a moderator reads what they just wrote).

`ReplicaMiddleware` marks an eligible request by choosing one replica for all of it
(a page reads one consistent copy); `ReplicaRouter` sends its reads there. The mark lives
in a context variable and is cleared when the response is finished, after a streamed
export's last row.
"""

import random
import time
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished
from django.db import DEFAULT_DB_ALIAS, connections

# The URL names (namespace:name) whose GET may read from a replica.
REPLICA_VIEWS = frozenset(
    {
        "tracker:home",
        "tracker:case_list",
        "tracker:case_detail",
        "tracker:case_detail_slug",
        "tracker:case_export_csv",
        "tracker:case_export_json",
        "tracker:case_feed",
        "tracker:stats",
        "tracker:stats_chart_svg",
        "api:case_list",
        "api:case_detail",
    }
)
# When the public data last changed (tracker/cache.py sets it with the cache's version).
CHANGED_AT_KEY = "tracker:public:changed_at"

_replica = ContextVar("replica", default=None)


def record_change():
    """Public pages read from the primary for a while after this (see the docstring)."""
    if settings.DATABASE_REPLICAS:
        cache.set(CHANGED_AT_KEY, time.time(), settings.DATABASE_REPLICA_LAG_SECONDS + 60)


def replica_for(request):
    """The replica this request may read from, or None for the primary."""
    match = request.resolver_match
    if not (
        settings.DATABASE_REPLICAS
        and request.method in ("GET", "HEAD")
        and match is not None
        and match.view_name in REPLICA_VIEWS
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    ):
        return None
    changed_at = cache.get(CHANGED_AT_KEY)
    if changed_at is not None and time.time() - changed_at < settings.DATABASE_REPLICA_LAG_SECONDS:
        return None
    return random.choice(settings.DATABASE_REPLICAS)  # noqa: S311 - spreading load


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A thread serves many requests: nothing is carried over from the previous one.
        _replica.set(None)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        _replica.set(replica_for(request))


def _finished(**kwargs):
    _replica.set(None)


request_finished.connect(_finished, dispatch_uid="tracker.replicas.finished")


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        replica = _replica.get()
        if replica is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return replica

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Replicas hold the primary's rows: an object read from one relates to any.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
