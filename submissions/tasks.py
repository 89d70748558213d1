"""Background tasks of the submissions app: the moderators' notification e-mails.

Each e-mail is its own task, enqueued in the transaction that stores the report, so it is
committed with the report or not at all, and a mail server that is down delays the mail
(retried with back-off) instead of losing it. One task per moderator: a retry never sends
a second copy to the moderators who already got theirs.
"""

import logging
import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django_tasks import task

from tracker.taskqueue import retry_later

logger = logging.getLogger(__name__)

MAIL_MAX_ATTEMPTS = 6


@task()
def send_moderator_mail(user_id, subject, body, attempt=1):
    """Send one notification to one moderator. The text never holds any of the report."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return "no address"
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False)
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Notification to moderator %s failed: %s", user_id, type(error).__name__)
        retry_later(
            send_moderator_mail,
            user_id,
            subject,
            body,
            attempt=attempt,
            max_attempts=MAIL_MAX_ATTEMPTS,
        )
        return "retry"
    return "sent"
