"""Brief caching of the public pages' content for anonymous readers.

What is cached is the HTML of a page's main content (the listing's filters and results,
the home page's figures and latest cases) — never a whole response: the page around it
(the header with the language switcher's CSRF token, messages, cookies) is rendered for
every request, so no reader ever receives another's token or cookie. Logged-in users
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
import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .models import Case, CaseCorrection, CaseEvent, CaseOutcome, Region, Source
from .security import DATABASE_DOWN

VERSION_KEY = "tracker:public:version"
# The version key outlives any page: a missing version only costs one re-render.
VERSION_TIMEOUT = 60 * 60 * 24
# Headline figures are exact aggregates over every published case (a full scan at a
# million rows); they change only with the version, so they are kept longer.
FIGURES_TIMEOUT = 60 * 60
# A page's last rendering is kept this long to be served while the database is down or
# overloaded (a restart, a failover, statement timeouts): an old listing beats a 503.
STALE_TIMEOUT = 6 * 60 * 60


def current_version():
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


def page_is_cacheable(request):
    return (
        settings.PUBLIC_PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
    )


def cached_content(request, name, render, variant=""):
    """`render()`'s HTML for this page, from the cache when an anonymous reader asked for
    the same URL in the same language since the last change (and, when given, with the
    same `variant` of what else it shows)."""
    if not page_is_cacheable(request):
        return render()
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    key = f"tracker:public:{name}:{current_version()}:{variant}:{get_language()}:{path}"
    # The last rendering whatever the version: served while the database is unavailable.
    stale_key = f"tracker:public:stale:{name}:{get_language()}:{path}"
    content = cache.get(key)
    if content is None:
        try:
            content = render()
        except DATABASE_DOWN:
            content = cache.get(stale_key)
            if content is None:
                raise
            return mark_safe(content)  # noqa: S308 (as below)
        cache.set(key, content, settings.PUBLIC_PAGE_CACHE_SECONDS)
        cache.set(stale_key, content, STALE_TIMEOUT)
    # Rendered by our own templates, so already escaped.
    return mark_safe(content)  # noqa: S308


def cached_figures(compute):
    """The home page's headline figures, recomputed after any change."""
    return cached_until_change("figures", compute)


def cached_until_change(name, compute):
    """`compute()`, kept until the next change to what the public sees (or an hour)."""
    key = f"tracker:public:{name}:{current_version()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, FIGURES_TIMEOUT)
    return value


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
