"""Helpers for the PostgreSQL race tests: decisions run in threads with their own
connections, and a way to see that one of them is blocked on a row lock."""

import threading

from django.db import connection, connections

from moderation import services

WAIT = 20  # seconds; only reached if something hangs


def in_thread(work):
    """Run work() in a thread with its own connection; return (thread, outcome dict)."""
    outcome = {}

    def run():
        try:
            outcome["result"] = work()
        except services.ModerationError as error:
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def someone_waits_on_a_lock():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0
