"""Brief caching of the public pages' content for anonymous readers.

What is cached is the HTML of a page's main content (the listing's filters and results,
the home page's figures and latest cases) — never a whole response: the page around it
(the header with the language switcher, messages, cookies) is rendered for every
request, so no reader ever receives another's cookie. Logged-in users
always get a fresh render.

While the database is unavailable, a page's last rendering (kept STALE_TIMEOUT) is served
instead of the 503 page.

Freshness: every key includes a version that changes whenever a case or anything shown
with it changes. The signal receivers below bump it on save and delete (publishing, an
edit, a retraction, a new source), so code that changes cases through models needs no
extra call. Bulk writes that skip signals (`QuerySet.update()`, `bulk_create()`, raw
SQL such as `generate_cases`) must call `bump_version()` themselves.
"""

import contextlib
import contextvars
import hashlib
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django_tasks import task

from .models import Case, CaseCorrection, CaseEvent, CaseOutcome, Region, Source
from .replicas import record_change
from .security import DATABASE_DOWN

VERSION_KEY = "tracker:public:version"
# The version key outlives any page: a missing version only costs one re-render.
VERSION_TIMEOUT = 60 * 60 * 24
# What `cached_until_change` keeps (e.g. the counts beside the filters for one selection)
# changes only with the version, so it is kept longer than a page.
UNTIL_CHANGE_TIMEOUT = 60 * 60
# A page's last rendering is kept this long to be served while the database is down or
# overloaded (a restart, a failover, statement timeouts): an old listing beats a 503.
STALE_TIMEOUT = 6 * 60 * 60


# The version a page's content is being drawn for (`cached_content`): whatever the
# drawing reads by version (its rows, the counts beside the filters) is read for the
# same one, without asking the cache for it again.
_drawing_for = contextvars.ContextVar("drawing_for", default=None)


@contextlib.contextmanager
def _drawn_for(version):
    drawing = _drawing_for.set(version)
    try:
        yield
    finally:
        _drawing_for.reset(drawing)


# Cache entries read together ahead of their use within a drawing (`read_together`):
# key → value, None where the cache has none.
_read_ahead = contextvars.ContextVar("read_ahead", default=None)


@contextlib.contextmanager
def read_together(*keys):
    """Within the block, `aggregate` and `cached_until_change` find these entries read
    in one round trip to the cache instead of one each."""
    found = cache.get_many(keys)
    reads = _read_ahead.set({**(_read_ahead.get() or {}), **{key: found.get(key) for key in keys}})
    try:
        yield
    finally:
        _read_ahead.reset(reads)


def _get(key):
    read = _read_ahead.get()
    if read is not None and key in read:
        return read[key]
    return cache.get(key)


def current_version():
    version = _drawing_for.get()
    if version is not None:
        return version
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, VERSION_TIMEOUT)
        version = cache.get(VERSION_KEY, version)
    return version


def bump_version():
    """Make every cached public page stale: now, and again when the current transaction
    commits, since a reader may have cached the old content in between."""
    _new_version()
    transaction.on_commit(_new_version)


def _new_version():
    # A new random version, never an increment: two bumps at once cannot both write the
    # same next number and leave a page cached in between looking current.
    cache.set(VERSION_KEY, uuid.uuid4().hex, VERSION_TIMEOUT)
    # With read replicas, the next readers read from the primary (tracker/replicas.py).
    record_change()


def page_is_cacheable(request):
    return (
        settings.PUBLIC_PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
    )


def cached_content(request, name, render, stamps=(), keep=lambda: True):
    """`render()`'s HTML for this page, from the cache when an anonymous reader asked for
    the same URL in the same language within PUBLIC_PAGE_CACHE_SECONDS, since the last
    change, and with the same values of the aggregates at dotted paths `stamps` (see
    `aggregate`) that the page shows.

    One round trip to the cache for a page served from it: the version, the stamps and
    the page are read together, the page stored with the version and stamps it was drawn
    with (the same entry, kept STALE_TIMEOUT, is the page served while the database is
    unavailable). A drawing is not kept when `keep()`, asked after it, says so (a page
    saying its numbers are still being counted)."""
    if not page_is_cacheable(request):
        with _drawn_for(current_version()):
            return render()
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    key = f"tracker:public:page:{name}:{get_language()}:{path}"
    stamp_keys = [STAMP_KEY.format(path=stamp) for stamp in stamps]
    found = cache.get_many([VERSION_KEY, key, *stamp_keys])
    version = found.get(VERSION_KEY) or current_version()
    variant = "|".join(found.get(stamp_key, "") for stamp_key in stamp_keys)
    stored = found.get(key)
    # Rendered by our own templates, so already escaped (the mark_safe calls below).
    if stored is not None:
        drawn_for, drawn_with, drawn_at, content = stored
        fresh = time.time() - drawn_at <= settings.PUBLIC_PAGE_CACHE_SECONDS
        if fresh and drawn_for == version and drawn_with == variant:
            return mark_safe(content)  # noqa: S308
    try:
        with _drawn_for(version):
            content = render()
    except DATABASE_DOWN:
        if stored is None:
            raise
        return mark_safe(stored[3])  # noqa: S308 (the last rendering, whatever its age)
    if keep():
        cache.set(key, (version, variant, time.time(), content), STALE_TIMEOUT)
    return mark_safe(content)  # noqa: S308


def until_change_key(name):
    return f"tracker:public:{name}:{current_version()}"


def cached_until_change(name, compute, *, timeout=None):
    """`compute()`, kept until the next change to what the public sees (or an hour).
    `timeout(value)` may keep a value for less (seconds), e.g. one that is incomplete."""
    key = until_change_key(name)
    value = _get(key)
    if value is None:
        value = compute()
        seconds = timeout(value) if timeout else None
        cache.set(key, value, seconds or UNTIL_CHANGE_TIMEOUT)
    return value


# Aggregates over every published case (the counts beside the filters, the statistics of
# the whole record, the home page's figures) cost seconds at a million cases. A reader
# never waits for them on a large record: after a change, readers keep the last value
# while the task `refresh_aggregate` computes the new one in the task worker (once per
# change, whichever reader notices first); the cache is shared, so every worker sees it.
LATEST_KEY = "tracker:public:latest:{path}"
# Changes whenever a task has replaced the aggregate: a cached page drawn with it stores
# the stamp and is not served once it has changed (cached_content's `stamps`).
STAMP_KEY = "tracker:public:latest-stamp:{path}"
REFRESH_KEY = "tracker:public:refresh:{path}:{version}"
# Up to this many published cases an aggregate costs a reader a few milliseconds: it is
# computed again in the first request after a change, exact at once without a worker.
INLINE_MAX_CASES = 20_000
# A refresh asked for and not delivered within this time (no task worker running, as
# under `runserver` alone): the next reader computes the value itself.
REFRESH_GRACE_SECONDS = 5 * 60


def aggregate(path, *, compute_first=True):
    """The value of the aggregate computed by the function at dotted `path` (no
    arguments; it returns the value and the number of published cases it covers), as
    fresh as the rules above allow.

    With `compute_first=False`, an aggregate never computed yet is not computed in this
    request: the task is asked for and None returned (for an aggregate that takes longer
    than a request may, while the caller has a cheaper way to answer meanwhile)."""
    stored = _get(LATEST_KEY.format(path=path))
    version = current_version()
    if stored is None and not compute_first:
        if cache.add(REFRESH_KEY.format(path=path, version=version), 1, REFRESH_GRACE_SECONDS):
            refresh_aggregate.enqueue(path)
            stored = cache.get(LATEST_KEY.format(path=path))
        return None if stored is None else stored[3]
    if stored is not None:
        computed_for, computed_at, cases, value = stored
        if computed_for == version:
            return value
        if cases > INLINE_MAX_CASES:
            if cache.add(REFRESH_KEY.format(path=path, version=version), 1, REFRESH_GRACE_SECONDS):
                refresh_aggregate.enqueue(path)
                # A backend that ran the task at once (tests, development) has the value.
                stored = cache.get(LATEST_KEY.format(path=path), stored)
                if stored[0] == version:
                    return stored[3]
            if time.time() - computed_at <= REFRESH_GRACE_SECONDS:
                return value
    return _compute_aggregate(path, version)


def _compute_aggregate(path, version):
    value, cases = import_string(path)()
    cache.set(LATEST_KEY.format(path=path), (version, time.time(), cases, value), None)
    return value


@task()
def refresh_aggregate(path):
    version = current_version()
    with aggregate_statement_timeout():
        _compute_aggregate(path, version)
    cache.set(STAMP_KEY.format(path=path), f"{version}:{time.time()}", None)
    return version


@contextlib.contextmanager
def aggregate_statement_timeout():
    """On PostgreSQL, the statements within get AGGREGATE_STATEMENT_TIMEOUT_MS instead of
    a reader's DATABASE_STATEMENT_TIMEOUT_MS: one transaction on the primary (where a
    task reads), whose SET LOCAL ends with it. Inside a caller's transaction (the task
    run at once, as in tests) the caller's limit stays: a SET LOCAL would outlast the
    aggregate and apply to the rest of that transaction."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SET LOCAL statement_timeout = {int(settings.AGGREGATE_STATEMENT_TIMEOUT_MS)}"
        )
        yield


def _changed(sender, **kwargs):
    bump_version()


WATCHED = (Case, Source, CaseOutcome, CaseEvent, CaseCorrection, Region)


def _connect():
    for model in WATCHED:
        post_save.connect(
            _changed, sender=model, dispatch_uid=f"tracker.cache.save.{model.__name__}"
        )
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"tracker.cache.del.{model.__name__}"
        )
    m2m_changed.connect(
        _changed, sender=Case.related_cases.through, dispatch_uid="tracker.cache.m2m"
    )


def _disconnect():
    for model in WATCHED:
        post_save.disconnect(sender=model, dispatch_uid=f"tracker.cache.save.{model.__name__}")
        post_delete.disconnect(sender=model, dispatch_uid=f"tracker.cache.del.{model.__name__}")
    m2m_changed.disconnect(sender=Case.related_cases.through, dispatch_uid="tracker.cache.m2m")


@contextlib.contextmanager
def invalidation_paused():
    """For bulk deletes: without receivers Django deletes with one query per table
    instead of loading every row. The caller bumps the version once at the end."""
    _disconnect()
    try:
        yield
    finally:
        _connect()


_connect()
