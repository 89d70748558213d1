"""Readers may open an archived copy only when SOURCE_SNAPSHOTS_PUBLIC is on. The bytes of a
snapshot are always served the same safe way (`raw_response`), here and on the moderators'
pages (moderation/views/sources.py)."""

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from tracker.models import Case

from .models import SourceStatus

# Shown inline (in the sandbox); any other type is downloaded, never rendered.
INLINE_TYPES = {"text/html", "text/plain", "image/png", "image/jpeg", "image/gif", "image/webp"}


def raw_response(snapshot, filename):
    """The bytes as received, so that nothing in them can run or load anything: a sandbox
    CSP without scripts or any other origin, no type sniffing, never cached."""
    try:
        handle = snapshot.content.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    kind = snapshot.content_type.split(";", 1)[0].strip().lower()
    inline = kind in INLINE_TYPES
    response = FileResponse(
        handle,
        content_type=snapshot.content_type if inline else "application/octet-stream",
        as_attachment=not inline,
        filename=filename,
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src data:"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Referrer-Policy"] = "no-referrer"
    add_never_cache_headers(response)
    return response


@require_safe
def public_snapshot(request, pk, source_pk):
    """The archived copy of a public case's source, only if the setting makes it public
    (off by default: the copyright of an article is its publisher's)."""
    if not settings.SOURCE_SNAPSHOTS_PUBLIC:
        raise Http404
    status = get_object_or_404(
        SourceStatus.objects.select_related("snapshot"),
        source_id=source_pk,
        source__case__in=Case.objects.public().filter(pk=pk),
        snapshot__isnull=False,
    )
    return raw_response(status.snapshot, f"case-{pk}-source-{source_pk}")
