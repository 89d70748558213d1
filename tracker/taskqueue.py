"""Retries for background tasks (django-tasks).

The tasks API runs a task once: a task that fails is marked failed and stays so. Work that
must not be lost (a moderator's notification, a source capture) catches its own failure and
enqueues itself again with `retry_later`, each time later (exponential back-off), until it
succeeds or its attempts are used up. Used by submissions/tasks.py and
tracker/preservation/tasks.py.
"""

import logging
from datetime import timedelta

from django.utils import timezone

logger = logging.getLogger(__name__)

# 1 minute, then 4, 16, 64 minutes, ~4 hours: a mail server or an outlet that is down for
# an afternoon is still reached.
RETRY_BASE_SECONDS = 60
RETRY_FACTOR = 4


def backoff(attempt):
    """The wait before attempt `attempt + 1`."""
    return timedelta(seconds=RETRY_BASE_SECONDS * RETRY_FACTOR ** (attempt - 1))


def retry_later(task, *args, attempt, max_attempts, **kwargs):
    """Enqueue `task(*args, attempt=attempt + 1, **kwargs)` after the back-off delay.

    Returns the new task result, or None when the attempts are used up or the backend
    cannot run a task later (the immediate backend of the tests runs everything at once,
    so a retry there would only repeat the failure at once).
    """
    if attempt >= max_attempts:
        logger.error("%s failed %d times; giving up.", task.name, attempt)
        return None
    if not task.get_backend().supports_defer:
        logger.warning("%s failed; this task backend cannot retry later.", task.name)
        return None
    delayed = task.using(run_after=timezone.now() + backoff(attempt))
    logger.warning("%s failed (attempt %d); retrying in %s.", task.name, attempt, backoff(attempt))
    return delayed.enqueue(*args, attempt=attempt + 1, **kwargs)
