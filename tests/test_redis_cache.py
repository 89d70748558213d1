"""The Redis cache backend (tracker/redis_cache.py) against the real Redis: it stores and
reads like Django's, and makes one Redis client for all operations instead of one each."""

import threading
import uuid

import pytest
from django.core.cache.backends.redis import RedisCache

from tracker.redis_cache import SharedClientRedisCache

REDIS_URL = "redis://127.0.0.1:6379/7"


@pytest.fixture
def cache():
    backend = SharedClientRedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    try:
        backend.get("probe")
    except Exception as error:  # noqa: BLE001 (any failure to reach Redis)
        pytest.fail(f"Redis at {REDIS_URL} is needed for this test: {error}")
    return backend


def test_it_stores_and_reads_as_djangos_backend_does(cache):
    cache.set("rows", {"ru": ["<li>…</li>"]}, 60)
    assert cache.get("rows") == {"ru": ["<li>…</li>"]}
    assert cache.get_many(["rows", "missing"]) == {"rows": {"ru": ["<li>…</li>"]}}
    assert cache.add("rows", "other", 60) is False
    assert cache.incr(cache.add("n", 1, 60) and "n") == 2
    # Another process with Django's own backend reads the same entries.
    djangos = RedisCache(REDIS_URL, {"KEY_PREFIX": cache.key_prefix})
    assert djangos.get("rows") == {"ru": ["<li>…</li>"]}


def test_one_client_serves_every_operation_and_thread(cache):
    clients = []
    original = cache._cache.get_client

    def recording(*args, **kwargs):
        client = original(*args, **kwargs)
        clients.append(client)  # kept alive, so no two can share an id
        return client

    cache._cache.get_client = recording
    cache.set("a", 1, 60)
    cache.get("a")
    threads = [threading.Thread(target=cache.get, args=("a",)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(clients) >= 6
    assert len({id(client) for client in clients}) == 1
