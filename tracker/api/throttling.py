import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from rest_framework.throttling import AnonRateThrottle

DAY = 24 * 3600


def _daily_key():
    """A random key made once a day and forgotten after two: yesterday's counters can never
    be linked back to an address, not even with the server's secrets."""
    name = f"api-throttle-key:{timezone.now().date().isoformat()}"
    cache.add(name, secrets.token_hex(32), timeout=2 * DAY)
    # Another process may have added its key first: everyone uses the one in the cache.
    return cache.get(name) or ""


def client_address(request):
    """The connecting address, or the one our trusted proxies saw.

    Not DRF's get_ident: without NUM_PROXIES it trusts the whole X-Forwarded-For header,
    which any client can vary to get a fresh allowance on every request.
    """
    hops = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if hops:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        forwarded = [part.strip() for part in forwarded if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    # No address at all (a unix socket, a test client) must not cost a 500.
    return request.META.get("REMOTE_ADDR") or ""


class AnonymousRateThrottle(AnonRateThrottle):
    """DRF's anonymous throttle keys its counter by the client's IP address, which would
    then sit in the cache (Redis in production). This one keys it by a keyed hash of the
    address under a daily key, so no address is ever stored."""

    def get_ident(self, request):
        address = client_address(request)
        return hmac.new(_daily_key().encode(), address.encode(), hashlib.sha256).hexdigest()
