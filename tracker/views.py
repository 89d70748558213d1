from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from .filters import CaseFilter
from .models import Case


def _page_size(request):
    try:
        size = int(request.GET.get("per_page", settings.CASES_PAGE_SIZE))
    except ValueError:
        return settings.CASES_PAGE_SIZE
    return min(max(size, 1), settings.CASES_MAX_PAGE_SIZE)


@require_safe
def home(request):
    public = Case.objects.public()
    figures = public.aggregate(
        cases=Count("id"), people=Sum("people_count"), regions=Count("home_region", distinct=True)
    )
    latest = public.for_listing().order_by("-published_at", "-id")[:5]
    return render(request, "tracker/home.html", {"figures": figures, "latest": latest})


@require_safe
def case_list(request):
    case_filter = CaseFilter(request.GET or None, queryset=Case.objects.public().for_listing())
    paginator = Paginator(case_filter.qs, _page_size(request))
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tracker/case_list.html",
        {
            "filter": case_filter,
            "page": page,
            "cases": page.object_list,
            "query_string": query.urlencode(),
        },
    )


@require_safe
def case_detail(request, pk, slug=None):
    case = get_object_or_404(
        Case.objects.exclude(status=Case.Status.DRAFT).select_related("home_region"), pk=pk
    )
    if case.status == Case.Status.RETRACTED:
        return render(request, "tracker/case_retracted.html", {"case": case}, status=410)
    if slug is not None and slug != case.slug:
        return redirect(case, permanent=True)
    context = {
        "case": case,
        "sources": case.sources.all(),
        "events": case.events.all(),
        "outcomes": case.get_outcomes_display(),
        "corrections": case.corrections.all(),
        "related": case.related_cases.public().order_by("-event_date"),
    }
    return render(request, "tracker/case_detail.html", context)
