"""Per-client abuse limits without storing who the client is.

A client is known only as HMAC-SHA256 of its address under a random key that is made each
day, kept in the cache for two days and then forgotten: the counters cannot be linked to an
address afterwards, not even with the server's secrets. Neither the address nor the hash
is logged; the cache holds only the hash, inside the counter's key.
"""

import hashlib
import hmac
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

HOUR = 3600


def client_address(request):
    """The connecting address, or the one our trusted proxies saw; used only to hash it."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    # No address at all (a unix socket, a test client) must not cost a 500.
    return request.META.get("REMOTE_ADDR") or ""


def _daily_key():
    day = timezone.now().date().isoformat()
    name = f"ratelimit-key:{day}"
    cache.add(name, secrets.token_hex(32), timeout=2 * 24 * HOUR)
    # Another process may have added its key first: everyone uses the one in the cache.
    return cache.get(name) or ""


def client_hash(request):
    key = _daily_key().encode()
    return hmac.new(key, client_address(request).encode(), hashlib.sha256).hexdigest()


def _counter_key(scope, request, window):
    return f"ratelimit:{scope}:{client_hash(request)}:{int(time.time() // window)}"


def is_limited(scope, request, limit, window=HOUR):
    """True if this client already used up `limit` actions in the current window."""
    return (cache.get(_counter_key(scope, request, window)) or 0) >= limit


def hit(scope, request, window=HOUR):
    """Count one action; returns the count in the current window."""
    key = _counter_key(scope, request, window)
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # the counter expired between add() and incr()
        cache.add(key, 1, timeout=window)
        return 1
