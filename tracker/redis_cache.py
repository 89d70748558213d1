"""Django's Redis cache backend, with one Redis client per connection pool.

Django's `RedisCacheClient.get_client()` makes a new `redis.Redis` for every cache
operation; since redis-py 5 each one builds its table of ~170 response callbacks, about
0.2 ms of CPU. A listing page makes a dozen cache operations, so that was some 2.5 ms of
the page's ~20 ms. A `redis.Redis` is safe to share between threads (each command takes
a connection from the pool), so one per pool is kept and reused.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient

    def validate_key(self, key):
        """Nothing to check: Django's check warns about keys memcached would refuse
        (over 250 characters, spaces, control characters), which Redis stores as they
        are; it walked every character of the thirty keys a listing page reads."""
