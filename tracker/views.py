import functools

from django.conf import settings
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from .cache import aggregate, cached_content
from .facets import (
    GLOBAL_COUNTS,
    chips,
    empty_result_suggestions,
    label_options,
    listing_counts,
)
from .filters import DEFAULT_SORT, SORTS, CaseFilter
from .grading import RANK, grade, worked_examples
from .models import CONTENT_LANGUAGES, COUNTED, Case, content_language
from .pagination import COUNT_CAP, COUNT_UNKNOWN, about, page_number, page_size, paginate
from .rows import listing_rows, page_queryset
from .search import is_ranked
from .shell import render_public
from .tilemap import tile_map


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico where a page names no icon (the raw feed, files)."""
    return redirect(static("favicon.png"), permanent=True)


@require_safe
def home(request):
    content = cached_content(request, "home", lambda: _home_content(request), stamps=[HOME_FIGURES])
    return render_public(request, "tracker/home.html", {"content": content})


def _home_content(request):
    public = Case.objects.public()
    figures = aggregate(HOME_FIGURES)
    latest = public.for_listing().order_by("-published_at", "-id")[:5]
    context = {
        "figures": figures,
        "latest": latest,
        "map": tile_map(figures["by_region"]),
        "uncounted_url": f"{reverse('tracker:case_list')}?confidence={Case.Confidence.UNCONFIRMED}",
    }
    return render_to_string("tracker/_home_content.html", context, request)


def home_figures():
    """The home page's headline figures and the tile map's numbers (a full scan, ~130 ms
    at a million cases): an aggregate kept off the readers' requests. They count
    confirmed and reported cases; the unconfirmed ones are counted apart (`uncounted`)."""
    public = Case.objects.public()
    by_region = dict(
        public.counted()
        .filter(home_region__isnull=False)
        .values_list("home_region__code")
        .annotate(count=Count("id"))
        .order_by()
    )
    figures = {
        # One pass over every published case: the counted ones and the others apart.
        **public.aggregate(
            cases=Count("id", filter=COUNTED),
            people=Sum("people_count", filter=COUNTED),
            uncounted=Count("id", filter=~COUNTED),
        ),
        "regions": len(by_region),
        "by_region": by_region,
    }
    return figures, figures["cases"] + figures["uncounted"]


HOME_FIGURES = "tracker.views.home_figures"


# Ranking every match of a common word would read them all; above this many matches
# (the count cap: up to there the count is exact) the listing shows the newest first
# instead, and says so.
RANKED_MATCHES_MAX = COUNT_CAP


@require_safe
def case_list(request):
    # The counts beside the filters over every case arrive from a task after a change
    # (tracker/facets.py): a page drawn with the previous ones is not served after them.
    content = cached_content(
        request, "case_list", lambda: _case_list_content(request), stamps=[GLOBAL_COUNTS]
    )
    context = {"content": content, "query_string": _filter_query(request)}
    # The page around the content is drawn once per language (tracker/shell.py).
    return render_public(request, "tracker/case_list.html", context)


def _filter_query(request):
    """The current filter as a query string, without the position in the listing: carried
    to the export, feed and statistics links."""
    query = request.GET.copy()
    for name in ("page", "after", "before", "per_page"):
        query.pop(name, None)
    return query.urlencode()


@functools.cache
def _public_cases():
    """Case.objects.public(), built once per process: each listing request takes its own
    clone (`.all()`), which costs a twentieth of what building it did (the translation
    manager's queryset and the filter)."""
    return Case.objects.public()


@functools.cache
def _methodology_url(script_prefix):
    """Reversed once per process (and script prefix), not on every listing page."""
    return reverse("tracker:methodology")


def _case_list_content(request):
    # The page query reads ids and sort keys only (page_queryset); the rows come drawn.
    case_filter = CaseFilter(request.GET or None, queryset=_public_cases().all())
    cases = case_filter.qs
    data = case_filter.form.cleaned_data if case_filter.is_bound else {}
    # The listing's count and the counts beside every filter value: one statement, kept
    # until the public data changes.
    count, counts = listing_counts(case_filter)
    active = chips(case_filter, request.GET)
    label_options(case_filter.form, counts)
    # A count that took too long (COUNT_UNKNOWN) means many matches: too many to rank.
    newest_instead_of_ranked = is_ranked(cases) and (
        count > RANKED_MATCHES_MAX or count == COUNT_UNKNOWN
    )
    filtered = any(data.get(name) for name in data if name != "sort")
    if newest_instead_of_ranked:
        cases = cases.order_by(*SORTS[DEFAULT_SORT][1])
    page = paginate(
        page_queryset(cases),
        count=count,
        per_page=page_size(request.GET.get("per_page")),
        number=page_number(request.GET.get("page")),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        # Unfiltered: every published case, as counted beside the filters' values.
        estimate=None if filtered else lambda: about(sum(counts["confidence"].values())),
        sort_bounds=case_filter.sort_bounds(),
    )
    context = {
        "filter": case_filter,
        "methodology_url": _methodology_url(get_script_prefix()),
        "page": page,
        "cases": page.cases,
        # Each case's row, drawn once per language and kept (tracker/rows.py); already
        # escaped, joined here rather than by a template loop.
        "rows": mark_safe("".join(listing_rows(page.cases))),  # noqa: S308
        "newest_instead_of_ranked": newest_instead_of_ranked,
        "ranked_matches_max": RANKED_MATCHES_MAX,
        "query_string": _filter_query(request),
        "chips": active,
        "counts_missing": any(value is None for value in counts.values()),
        "count_cap": COUNT_CAP,
        "suggestions": empty_result_suggestions(active),
        # The listing is a catalogue of every published case; it says how many of those
        # the figures and statistics leave out (from the counts beside the filters).
        "uncounted": None
        if data.get("confidence")
        else (counts.get("confidence") or {}).get(Case.Confidence.UNCONFIRMED.value),
    }
    return render_to_string("tracker/_case_list_content.html", context, request)


# Each language named in itself, as a link to that version reads to someone who reads it.
LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "uk": "Українська"}


def case_text(case, asked=None):
    """What the case page shows of the case's text: the version in the reader's language,
    or the one asked for with `?text=<language>`, or else the original, said so with a
    label; and links to the other versions."""
    reader = content_language()
    wanted = asked if asked in CONTENT_LANGUAGES else reader
    shown = case.shown_language("summary", wanted)
    return {
        "text_title": case.text("title", shown),
        "text_summary": case.text("summary", shown),
        "text_language": shown,
        "text_events": [(event, event.text("description", shown)) for event in case.events.all()],
        "text_wanted": wanted,
        # Each correction's note in the language asked for, else its original, labelled.
        "text_corrections": [
            (correction, correction.text("note", wanted), correction.shown_language("note", wanted))
            for correction in case.corrections.all()
        ],
        # The reader's language has no version: the original is shown, with a label.
        "translation_missing": shown != wanted,
        "other_versions": [
            (language, LANGUAGE_NAMES[language])
            for language in CONTENT_LANGUAGES
            if language != shown and case.text_in("summary", language)
        ],
    }


@require_safe
def methodology(request):
    context = {"examples": worked_examples(), "submit_url": reverse("submissions:submit")}
    return render(request, "tracker/methodology.html", context)


@require_safe
def case_detail(request, pk, slug=None):
    case = get_object_or_404(Case.objects.citable().select_related("home_region"), pk=pk)
    if case.status == Case.Status.RETRACTED:
        return render(request, "tracker/case_retracted.html", {"case": case}, status=410)
    if slug is not None and slug != case.slug:
        return redirect(case, permanent=True)
    # The preservation status and snapshot come in the same query (no extra one).
    sources = list(
        case.sources.select_related("preservation__snapshot").defer("preservation__snapshot__text")
    )
    others = list(Case.objects.public().linked_to(case))
    supported = grade(sources)
    context = {
        "case": case,
        **case_text(case, request.GET.get("text")),
        "sources": sources,
        # The grade the sources support, with its reason; the case's own grade is lower
        # only when a moderator said why (case.confidence_note).
        "grade": supported,
        "confidence_lowered": RANK[case.confidence] < RANK[supported.confidence],
        "snapshots_public": settings.SOURCE_SNAPSHOTS_PUBLIC,
        "outcomes": case.get_outcomes_display(),
        "related": [other for other in others if other.is_related and not other.is_duplicate],
        "possible_duplicates": [other for other in others if other.is_duplicate],
    }
    return render(request, "tracker/case_detail.html", context)
