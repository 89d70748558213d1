"""Exact counters (tracker/counters.py): every increment gets its own number, in the
database and in Redis, however many come at once."""

import socket
import threading

import pytest
from django.core.cache import caches
from django.db import connections

from tests.threads import WAIT
from tracker import counters

REDIS = ("127.0.0.1", 6379)


def increments_at_once(count, key):
    start, numbers = threading.Barrier(count), []

    def work():
        try:
            start.wait(WAIT)
            numbers.append(counters.increment(key, 3600))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    return sorted(numbers)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_database_increments_at_once_each_get_their_own_number():
    assert increments_at_once(20, "test:db") == list(range(1, 21))
    assert counters.Counter.objects.get(key="test:db").count == 20


def redis_is_running():
    try:
        socket.create_connection(REDIS, timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not redis_is_running(), reason="needs Redis on 127.0.0.1:6379")
def test_redis_increments_at_once_each_get_their_own_number(settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": "refusals-tests-counters",
        }
    }
    cache = caches.create_connection("default")
    monkeypatch.setattr(counters, "cache", cache)
    cache.delete("counter:test:redis")
    try:
        assert increments_at_once(20, "test:redis") == list(range(1, 21))
    finally:
        cache.delete("counter:test:redis")
