"""The privacy helpers every app uses, and the map of every privacy mechanism.

People who report a case may be in danger. What the project does so that nothing it keeps,
logs or serves can point at them (or at a moderator), and where each rule lives:

- **No IP address is stored or logged.** A client is known only as `client_hash(request)`
  (here): HMAC-SHA256 of its address under a random key made each day, shared by every
  worker (tracker/counters.py `shared_secret`) and forgotten after two days. Rate limits
  (submissions/ratelimit.py, the API throttle tracker/api/throttling.py) count hashes.
- **django-axes sees no address**: `AxesWithoutAddressMiddleware` (here) is the one layer
  that gives axes a daily pseudonym instead of the address, and no user agent or Accept
  header, before axes reads the request.
- **Logs are redacted**: `redact()` (here) removes IP and e-mail addresses and query
  strings; tracker/logging.py applies it on every handler, to error e-mails, and writes
  one request line without time or client (`RequestLogMiddleware`); gunicorn's own logs go
  through `tracker.ops.gunicorn.PrivateLogger`, which never writes a client address; the
  compose proxy's (tracker/ops/nginx.conf) neither; boto3's loggers stay at WARNING.
- **Coarse times**: what a submitter does is stored to the hour (`coarse_now()` here,
  SUBMITTER_TIME_RESOLUTION_SECONDS): submissions, their answers, audit events and used
  form tokens.
- **Uploads lose their metadata**: images are rebuilt from their pixels, PDFs are rewritten
  without scripts, actions, attachments, forms and metadata (submissions/uploads.py,
  submissions/pdf.py), in memory: only cleaned bytes reach the disk or the object store,
  and no stored file has a URL (tracker/storage.py).
- **Contacts are encrypted** at rest (submissions/crypto.py, CONTACT_ENCRYPTION_KEYS) and
  deleted CONTACT_RETENTION_DAYS after the decision (`purge_contacts`).
- **Receipt codes are stored as a keyed hash** only (submissions/receipts.py).
- **No third-party origin**: a strict Content-Security-Policy, no inline code, nothing
  loaded from elsewhere (tracker/settings.py CONTENT_SECURITY_POLICY, tracker/security.py).
- **No trace in browsers or URLs**: report pages are `no-store`, no report data in a URL,
  the CSRF cookie lives only as long as the browser session, logout sends
  `Clear-Site-Data` (submissions/views.py, moderation/accounts.py).

The one deliberate upward arrow of the layers: intake (submissions) writes audit events of
the review app (moderation.models.AuditEvent) for the submitter's own actions.
"""

import datetime
import hashlib
import hmac
import ipaddress
import re

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

DAY = 24 * 3600

# --- The client, without its address -----------------------------------------------------


def client_address(request):
    """The connecting address, or the one our trusted proxies saw; used only to hash it."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    # No address at all (a unix socket, a test client) must not cost a 500.
    return request.META.get("REMOTE_ADDR") or ""


def _daily_key():
    # Imported here: the logging configuration imports this module before the models.
    from .counters import shared_secret

    day = timezone.now().date().isoformat()
    return shared_secret(f"client-hash-key:{day}", 2 * DAY)


def client_hash(request):
    """The client for today: the same for every request of one address today, unrelated
    to it tomorrow, and impossible to link to the address once the day's key is gone."""
    key = _daily_key().encode()
    return hmac.new(key, client_address(request).encode(), hashlib.sha256).hexdigest()


def client_pseudonym(request):
    """The client hash written as an IPv6 address of the unique-local range (fd00::/8), for
    code that only accepts addresses (django-axes' ip_address column)."""
    digest = bytes.fromhex(client_hash(request))
    return str(ipaddress.IPv6Address(b"\xfd" + digest[:15]))


# --- django-axes without addresses -------------------------------------------------------


class AxesWithoutAddressMiddleware:
    """Gives django-axes everything it reads from a request before it reads it: the
    client's daily pseudonym instead of its address, and no user agent or Accept header.
    Axes then never looks at the request's META (AxesProxyHandler.update_request skips a
    request marked `axes_updated`), so it stores and logs neither. Failed logins are
    counted per account and pseudonym (AXES_LOCKOUT_PARAMETERS). Must come before
    anything that authenticates (MIDDLEWARE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        hide_client_from_axes(request)
        return self.get_response(request)


def hide_client_from_axes(request):
    request.axes_locked_out = False
    request.axes_attempt_time = timezone.now()
    request.axes_ip_address = _pseudonym_for_axes(request)
    request.axes_user_agent = ""
    request.axes_http_accept = ""
    request.axes_path_info = request.path_info[:255]
    request.axes_failures_since_start = None
    request.axes_credentials = None
    request.axes_updated = True


def _pseudonym_for_axes(request):
    # Only a POST can log in or out; other requests do not pay for the day's key.
    if request.method != "POST":
        return None
    try:
        return client_pseudonym(request)
    except (OperationalError, InterfaceError):
        # The day's key is in the database, which is down: no login can happen now, and the
        # view (a report form keeping its draft) must still get its chance to answer.
        return None


def axes_client_description(username, ip_address, user_agent, path_info, request):
    """AXES_CLIENT_STR_CALLABLE: what axes writes to the log about a login attempt."""
    return f'path_info: "{path_info}"'


# --- Coarse times --------------------------------------------------------------------------


def coarse_now():
    """Now, cut down to SUBMITTER_TIME_RESOLUTION_SECONDS (an hour by default): the time
    stored for anything a submitter does."""
    step = max(int(settings.SUBMITTER_TIME_RESOLUTION_SECONDS), 1)
    now = timezone.now()
    seconds = int(now.timestamp()) // step * step
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)


# --- Log redaction -------------------------------------------------------------------------

IPV4 = r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])"
# Full form, or any form with "::" (which must touch at least one hex digit).
IPV6 = (
    r"(?<![\w:])(?:"
    r"(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}"
    r"|(?:[0-9a-f]{1,4}:){1,7}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6})?"
    r"|::(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{1,4}"
    r")(?![\w:])"
)
EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
# "/path?anything" up to the next space or quote: the query string may hold search words.
QUERY_STRING = r"(?<=[\w/])\?[^\s\"']+"

REDACTIONS = [
    (re.compile(EMAIL), "[email]"),
    (re.compile(IPV6, re.IGNORECASE), "[ip]"),
    (re.compile(IPV4), "[ip]"),
    (re.compile(QUERY_STRING), "?[query]"),
]


def redact(text):
    """The text with IP addresses, e-mail addresses and query strings replaced."""
    for pattern, placeholder in REDACTIONS:
        text = pattern.sub(placeholder, text)
    return text
