"""Read-only API views. They start from Case.objects.public() and filter with the
listing's CaseFilter, so the API answers with exactly the cases the listing shows."""

from django.conf import settings
from django.db.models import Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics

from tracker.filters import FORCE_GROUPS, CaseFilter
from tracker.models import SOURCE_ORDER, Case, Source

from .serializers import CaseDetailSerializer, CaseSerializer


def _public_cases():
    return Case.objects.public().select_related("home_region")


def _sources():
    # With each source's preservation status and snapshot in the same query.
    sources = Source.objects.select_related("preservation__snapshot").defer(
        "preservation__snapshot__text"
    )
    return Prefetch("sources", queryset=sources.order_by(*SOURCE_ORDER))


# The filter parameters django-filter cannot describe by itself (choices made by a method,
# bounds set on the form field), documented as CaseFilter checks them.
LIST_PARAMETERS = [
    OpenApiParameter(
        "force",
        str,
        enum=[*dict(FORCE_GROUPS), *Case.Force.values],
        description="Force; 'army' and 'rosgvardia' select a whole service.",
    ),
    OpenApiParameter("region", str, description="ISO 3166-2 code of the home region, e.g. RU-KB."),
    OpenApiParameter(
        "people",
        {"type": "integer", "minimum": 1, "maximum": 1_000_000},
        description="At least this many people.",
    ),
    OpenApiParameter(
        "per_page",
        {"type": "integer", "minimum": 1, "maximum": settings.CASES_MAX_PAGE_SIZE},
        description=f"Cases per page (default {settings.CASES_PAGE_SIZE}).",
    ),
]


@extend_schema(parameters=LIST_PARAMETERS)
class CaseList(generics.ListAPIView):
    """Published cases, filtered with the same parameters as the /cases/ listing."""

    queryset = _public_cases().prefetch_related("outcome_rows", _sources())
    serializer_class = CaseSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = CaseFilter


class CaseDetail(generics.RetrieveAPIView):
    """One published case with its sources, timeline, corrections and related cases."""

    queryset = _public_cases().prefetch_related(
        "outcome_rows",
        _sources(),
        "events",
        "corrections",
    )

    def get_object(self):
        case = super().get_object()
        # Related cases and possible duplicates, public ones only, in one query.
        others = list(
            Case.objects.public()
            .linked_to(case)
            .only("id", "original_language", "title_en", "title_ru", "title_uk", "slug")
        )
        case.public_related = [c for c in others if c.is_related and not c.is_duplicate]
        case.public_duplicates = [c for c in others if c.is_duplicate]
        return case

    serializer_class = CaseDetailSerializer
