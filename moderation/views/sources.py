"""Moderators read snapshots of sources (as text, or the raw bytes in a sandbox), list the
dead sources and download a case's evidence bundle (moderation/evidence.py)."""

import tempfile

from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from tracker.models import Case
from tracker.preservation.models import SourceSnapshot, SourceStatus
from tracker.preservation.views import raw_response

from ..decorators import moderator_required
from ..evidence import write_bundle

DEAD_PER_PAGE = 100


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
