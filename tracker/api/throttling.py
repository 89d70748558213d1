import hashlib
import hmac
import secrets

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


class AnonymousRateThrottle(AnonRateThrottle):
    """DRF's anonymous throttle keys its counter by the client's IP address, which would
    then sit in the cache (Redis in production). This one keys it by a keyed hash of the
    address under a daily key, so no address is ever stored."""

    def get_ident(self, request):
        # No address at all (a unix socket, a test client) must not cost a 500.
        address = super().get_ident(request) or ""
        return hmac.new(_daily_key().encode(), address.encode(), hashlib.sha256).hexdigest()
