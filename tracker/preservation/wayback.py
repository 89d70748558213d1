"""Optional (SOURCE_WAYBACK_SAVE): ask the Internet Archive's Wayback Machine to save a
source and record the address of its copy, a second copy held by someone else.

The request goes through the same safe fetcher as captures (proxy, address checks, no
cookies). The save endpoint answers with a redirect to the new copy once it is made; its
final address is the copy's.
"""

from urllib.parse import quote, urljoin

from django.db import transaction

from . import fetch
from .models import SourceStatus

SAVE_ENDPOINT = "https://web.archive.org/save/"
COPY_PREFIX = "https://web.archive.org/web/"


def save(source):
    """Ask for a copy of `source.url`; returns its address, or raises fetch.FetchError."""
    asked = SAVE_ENDPOINT + quote(source.url, safe=":/?=&%#~+,;@!$'()*")
    result = fetch.fetch(asked, read_body=False)
    # The copy's address: where the endpoint redirected, or the Content-Location it gave.
    copy = result.final_url
    if not copy.startswith(COPY_PREFIX):
        copy = urljoin(result.final_url, result.headers.get("content-location", ""))
    if not copy.startswith(COPY_PREFIX):
        raise fetch.FetchError(fetch.ErrorKind.HTTP_STATUS, "no copy address")
    with transaction.atomic():
        status, _created = SourceStatus.objects.select_for_update().get_or_create(source=source)
        status.wayback_url = copy
        status.save(update_fields=["wayback_url"])
    return copy
