"""Counters that must be exact, shared by every worker and machine, and short-lived secrets.

`increment(key, window)` adds one and returns the new count in one atomic step, so a limit
decided on its result holds however many requests arrive at once: with `REDIS_URL` it is
Redis' INCR on a key that expires with its window; otherwise one
`INSERT … ON CONFLICT DO UPDATE SET count = count + 1 RETURNING count` on the `Counter`
table (PostgreSQL and SQLite both do it in one statement). The count is never read first
and written later: that was how 15 reports sent at once passed a limit of 5.

`shared_secret(name, lifetime)` is a random value that every worker sees the same, made on
first use and forgotten after `lifetime` (the client hash's daily key, tracker/privacy.py).

The models live here and are imported by tracker/models/__init__.py.
"""

import datetime
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection, models
from django.utils import timezone


class Counter(models.Model):
    """One count for one window: the key names the scope, the client hash and the window."""

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        app_label = "tracker"

    def __str__(self):
        return f"{self.key}: {self.count}"


class SharedSecret(models.Model):
    """A random key every worker must agree on, deleted once it has expired."""

    name = models.CharField(max_length=100, primary_key=True)
    value = models.CharField(max_length=128)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        app_label = "tracker"

    def __str__(self):
        return self.name


def window_key(scope, subject, window):
    """The counter's key for the current window of `window` seconds."""
    return f"{scope}:{subject}:{int(time.time() // window)}"


def increment(key, window):
    """Add one to the counter `key` (which lives `window` seconds); return the new count."""
    if settings.REDIS_URL:
        return _increment_in_cache(key, window)
    return _increment_in_database(key, window)


def _increment_in_cache(key, window):
    name = f"counter:{key}"
    for _attempt in range(3):
        cache.add(name, 0, timeout=window)
        try:
            return cache.incr(name)  # Redis INCR: atomic
        except ValueError:  # expired between add() and incr(): start again
            continue
    raise RuntimeError("the counter could not be incremented")


def _increment_in_database(key, window):
    expires = timezone.now() + datetime.timedelta(seconds=window)
    table = connection.ops.quote_name(Counter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, count, expires_at) VALUES (%s, 1, %s) "  # noqa: S608
            f"ON CONFLICT (key) DO UPDATE SET count = {table}.count + 1 RETURNING count",
            [key, expires],
        )
        count = cursor.fetchone()[0]
    if count == 1:  # a new window began: forget the counters of windows that ended
        Counter.objects.filter(expires_at__lt=timezone.now()).delete()
    return count


_known_secrets = {}


def shared_secret(name, lifetime):
    """The random value called `name`, the same in every worker; made on first use."""
    if name in _known_secrets:
        return _known_secrets[name]
    if settings.REDIS_URL:
        cache.add(f"secret:{name}", secrets.token_hex(32), timeout=lifetime)
        # Another process may have added its value first: everyone uses the stored one.
        return cache.get(f"secret:{name}") or ""
    expires = timezone.now() + datetime.timedelta(seconds=lifetime)
    SharedSecret.objects.filter(expires_at__lt=timezone.now()).delete()
    secret, _created = SharedSecret.objects.get_or_create(
        name=name, defaults={"value": secrets.token_hex(32), "expires_at": expires}
    )
    if len(_known_secrets) > 8:
        _known_secrets.clear()
    _known_secrets[name] = secret.value
    return secret.value
