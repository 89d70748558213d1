"""Moderators read snapshots (as text, or the raw bytes in a sandbox), list dead sources
and download a case's evidence bundle; readers may open an archived copy only when
SOURCE_SNAPSHOTS_PUBLIC is on."""

import tempfile

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from moderation.decorators import moderator_required
from tracker.models import Case

from .bundle import write_bundle
from .models import SourceSnapshot, SourceStatus

# Shown inline (in the sandbox); any other type is downloaded, never rendered.
INLINE_TYPES = {"text/html", "text/plain", "image/png", "image/jpeg", "image/gif", "image/webp"}
DEAD_PER_PAGE = 100


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


def _captured(pk):
    return get_object_or_404(
        SourceSnapshot.objects.select_related("source__case", "submission_source"),
        pk=pk,
        outcome=SourceSnapshot.Outcome.CAPTURED,
    )


@moderator_required
@require_safe
def snapshot(request, pk):
    item = _captured(pk)
    response = render(request, "preservation/snapshot.html", {"snapshot": item})
    add_never_cache_headers(response)
    return response


@moderator_required
@require_safe
def snapshot_raw(request, pk):
    item = _captured(pk)
    return raw_response(item, f"snapshot-{item.pk}")


@moderator_required
@require_safe
def dead_sources(request):
    statuses = (
        SourceStatus.objects.filter(
            link_status__in=[SourceStatus.Link.OFFLINE, SourceStatus.Link.UNREACHABLE]
        )
        .select_related("source__case", "snapshot")
        .defer("snapshot__text")
        .order_by("offline_since", "source_id")
    )
    page = Paginator(statuses, DEAD_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "preservation/dead_sources.html", {"page": page})


@moderator_required
@require_safe
def evidence_bundle(request, pk):
    case = get_object_or_404(Case.objects.select_related("home_region"), pk=pk)
    out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    write_bundle(case, out, request=request)
    out.seek(0)
    response = FileResponse(
        out,
        content_type="application/zip",
        as_attachment=True,
        filename=f"refusal-tracker-case-{case.pk}-evidence.zip",
    )
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
