"""Response headers Django does not set itself, and the pages shown when things go wrong.

Every page goes through these middleware (see MIDDLEWARE in settings):
- `PermissionsPolicyMiddleware` turns off powerful browser features no page of ours uses;
- `DatabaseUnavailableMiddleware` answers 503 with a friendly page while the database is
  unreachable (a restart, a failover), so readers are told to come back instead of a 500.

`server_error` is the project's handler500 (tracker/urls.py): it renders the error pages
without a request context, so they work when the database is down.
"""

import functools
import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.middleware.csrf import REASON_BAD_ORIGIN
from django.template import loader
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)

# Features a browser may grant a page; none of ours needs any, so a page injected with
# someone else's code cannot turn on a camera, a microphone or location either.
DISABLED_FEATURES = (
    "accelerometer",
    "autoplay",
    "browsing-topics",
    "camera",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "picture-in-picture",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
)
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in DISABLED_FEATURES)

# What the database driver raises when the server is down, restarting or unreachable.
DATABASE_DOWN = (OperationalError, InterfaceError)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


# Shown if an error page cannot be rendered itself (a broken template, a static file
# missing from the manifest): the reader still gets an answer, not the server's bare 500.
FALLBACK_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
    "</head><body><h1>{title}</h1><p>Please try again in a few minutes.</p></body></html>"
)


def render_error_page(template_name, fallback_title):
    """An error page rendered with no context at all, so no context processor (and so no
    session or user lookup) can touch a database that may be down."""
    try:
        return loader.render_to_string(template_name)
    except Exception:
        logger.exception("the error page %s could not be rendered", template_name)
        return FALLBACK_PAGE.format(title=fallback_title)


def database_unavailable_response():
    """The 503 page, with the time after which the reader may try again."""
    page = render_error_page("503.html", "The site is temporarily unavailable")
    response = HttpResponse(page, status=503)
    response["Retry-After"] = str(settings.DATABASE_UNAVAILABLE_RETRY_AFTER)
    # A cache between us and the reader must not keep the outage page.
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turns a lost database connection in a view into a 503 with Retry-After. A query
    PostgreSQL cancelled for running past statement_timeout is an OperationalError too,
    and gets the same answer: the server is overloaded, try again later."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_DOWN) or settings.DEBUG:
            # In development the traceback page is more useful than the 503.
            return None
        # One line per request, no traceback: an outage hits every request at once.
        logger.warning("database unavailable (%s): %s", type(exception).__name__, exception)
        return database_unavailable_response()


def server_error(request):
    """handler500: the 503 page when the database is what failed (for errors raised
    outside a view, e.g. while saving the session), else the plain 500 page."""
    _type, exception, _traceback = sys.exc_info()
    if isinstance(exception, DATABASE_DOWN):
        return database_unavailable_response()
    return HttpResponseServerError(render_error_page("500.html", "Server error"))


def same_origin(request):
    """Whether the browser says this request comes from a page of this site: its
    Sec-Fetch-Site header, or where a browser does not send that, its Origin header
    (scheme and host as Django's CSRF check compares them, or one of
    CSRF_TRUSTED_ORIGINS). A request with neither is not taken for ours."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        # "none": the reader's own action (a bookmark, the address bar), not a page's.
        return site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return False
    scheme = "https" if request.is_secure() else "http"
    return origin == f"{scheme}://{request.get_host()}" or origin in settings.CSRF_TRUSTED_ORIGINS


def origin_checked(view):
    """`view` protected from forged POSTs by the browser's Sec-Fetch-Site or Origin header
    instead of a CSRF token: refused like a bad token (CSRF_FAILURE_VIEW, 403) unless
    `same_origin`. For a form on every public page, the language switcher: a token made
    for each reader costs an anonymous page from the cache a third of its CPU and sets a
    cookie on a reader who has chosen nothing, and it is lost with Tor Browser's "New
    Identity"; the browser's headers are neither. (The test client, which sends no such
    headers, is let through unless it enforces CSRF checks, as Django's check does.)"""

    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        forged = request.method == "POST" and not same_origin(request)
        if forged and not getattr(request, "_dont_enforce_csrf_checks", False):
            failure = import_string(settings.CSRF_FAILURE_VIEW)
            return failure(request, reason=REASON_BAD_ORIGIN % request.headers.get("Origin"))
        return view(request, *args, **kwargs)

    return csrf_exempt(checked)
