"""The site's URLs plus views that fail on purpose, for the error page tests."""

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.urls import path

from tracker.urls import handler500
from tracker.urls import urlpatterns as site_urlpatterns

SECRET_MESSAGE = "exception text with /srv/app/secret/path.py and DATABASE password hunter2"


def crash(request):
    raise RuntimeError(SECRET_MESSAGE)


def denied(request):
    raise PermissionDenied(SECRET_MESSAGE)


def database_down(request):
    raise OperationalError("could not connect to server at 10.1.2.3 port 5432")


urlpatterns = [
    *site_urlpatterns,
    path("test-crash/", crash),
    path("test-denied/", denied),
    path("test-database-down/", database_down),
]

__all__ = ["handler500", "urlpatterns"]
