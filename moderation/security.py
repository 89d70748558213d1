"""Moderator accounts an attacker can neither lock nor keep.

- **Lockout per account and client**: django-axes counts failed logins per user name and
  client (a daily pseudonym, never an address: tracker/privacy.py), so a stranger's
  guesses lock out the stranger's client, not the moderator.
- **Slowdown per account** (`login_wait_seconds`): every failed login on an account, from
  anywhere, doubles the time (up to LOGIN_SLOWDOWN_MAX_SECONDS) during which a further
  attempt on it tells nothing: within it, only the right password *with* the right code
  gets in, and anything else gets the same "wait" answer (moderation/accounts.py). Guessing
  is slowed for everyone; the moderator who has both still gets in at once.
- **Deactivation ends sessions for good**: when an account is deactivated (admin, shell),
  every session of it is deleted at once, so re-enabling it later revives none.
- **Absolute lifetime** (`SessionLifetimeMiddleware`): a login lasts at most
  SESSION_ABSOLUTE_LIFETIME seconds, however active, besides the idle timeout.
"""

import time

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.models import Session
from django.db.models import Max, Sum
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

LOGIN_AT = "login_at"


# --- slowdown ---------------------------------------------------------------------------


def login_wait_seconds(username):
    """Seconds an attempt on this account must still wait to be told anything: 2^(n-1)
    after the n-th failure within the lockout period, at most LOGIN_SLOWDOWN_MAX_SECONDS,
    counted from the last failure. 0 once that time has passed."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(username=username, attempt_time__gte=since)
    totals = recent.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    failures, last = totals["failures"] or 0, totals["last"]
    if not failures or last is None:
        return 0
    delay = min(2 ** min(failures - 1, 30), settings.LOGIN_SLOWDOWN_MAX_SECONDS)
    waited = (timezone.now() - last).total_seconds()
    return max(0, int(delay - waited + 0.999))


# --- sessions ---------------------------------------------------------------------------


def end_sessions_of(user):
    """Delete every session of this user (database sessions: the project's engine)."""
    user_id = str(user.pk)
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == user_id
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@receiver(pre_save, sender=get_user_model(), dispatch_uid="moderation-note-deactivation")
def _note_deactivation(sender, instance, **kwargs):
    if instance.pk is None or instance.is_active:
        return
    was_active = sender.objects.filter(pk=instance.pk, is_active=True).exists()
    instance._deactivated_now = was_active


@receiver(post_save, sender=get_user_model(), dispatch_uid="moderation-end-sessions")
def _end_sessions_on_deactivation(sender, instance, **kwargs):
    if getattr(instance, "_deactivated_now", False):
        end_sessions_of(instance)
        instance._deactivated_now = False


@receiver(user_logged_in, dispatch_uid="moderation-mark-login")
def _mark_login(sender, request, user, **kwargs):
    """Every login (ours or the admin's): the absolute lifetime counts from here."""
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT] = int(time.time())


class SessionLifetimeMiddleware:
    """Logs out a session older than SESSION_ABSOLUTE_LIFETIME (or one without a login
    time). After AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            logged_in = request.session.get(LOGIN_AT)
            lifetime = settings.SESSION_ABSOLUTE_LIFETIME
            if logged_in is None or time.time() - logged_in > lifetime:
                logout(request)
        return self.get_response(request)
