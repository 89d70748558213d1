from rest_framework.throttling import AnonRateThrottle

from tracker.privacy import client_hash


class AnonymousRateThrottle(AnonRateThrottle):
    """DRF's anonymous throttle keys its counter by the client's IP address, which would
    then sit in the cache (Redis in production), and it trusts any X-Forwarded-For header.
    This one uses the same keyed hash as the submission form's limits: the connecting
    address (or the one our trusted proxies saw) under a random key that changes daily."""

    def get_ident(self, request):
        return client_hash(request)
