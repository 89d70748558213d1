"""Per-client and site-wide limits on the public side, exact under any concurrency.

A client is known only by its daily hash (tracker/privacy.py). Each limit is one atomic
count (tracker/counters.py): the request is counted first and the decision is made on the
count it got, so a hundred requests at once cannot all see "4 so far".
"""

from tracker import counters
from tracker.privacy import client_hash

HOUR = 3600


def count(scope, request, window=HOUR):
    """Count one action of this client in the current window; return the count so far."""
    return counters.increment(counters.window_key(scope, client_hash(request), window), window)


def count_site(scope, window=HOUR):
    """Count one action of anybody in the current window; return the count so far."""
    return counters.increment(counters.window_key(scope, "site", window), window)
