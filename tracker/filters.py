"""The public listing's filters. The listing, its export, its feed, its statistics and the
API all use CaseFilter, so a filter means the same thing everywhere."""

import copy

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .lookups import outlet_key
from .models import Case, CaseEvent, CaseOutcome, Region, region_name_field
from .pagination import SortBounds
from .search import order_by_relevance, search_cases
from .widgets import CachedModelChoices, FilterForm, IsoDateInput

FORCE_GROUPS = [
    ("army", _("Armed Forces: all")),
    ("rosgvardia", _("Rosgvardiya: all")),
]

SORTS = {
    # Ranked by tracker.search where the database can rank (PostgreSQL full-text);
    # otherwise, and without a search, the default order. A search without a sort
    # is ranked.
    "relevance": (_("best match first"), None),
    # Undated cases and unknown numbers of people come last in both directions, on both
    # databases (PostgreSQL puts NULLs first going down, SQLite going up); the indexes
    # that serve these orders are NULLS LAST (migration 0005).
    "-event_date": (_("newest refusal first"), [F("event_date").desc(nulls_last=True), "-id"]),
    "event_date": (_("oldest refusal first"), [F("event_date").asc(nulls_last=True), "id"]),
    "-people": (_("most people first"), [F("people_count").desc(nulls_last=True), "-id"]),
    # Every published case has a publication time.
    "-published": (_("recently published"), ["-published_at", "-id"]),
}
DEFAULT_SORT = "-event_date"


class RegionChoiceField(forms.ModelChoiceField):
    iterator = CachedModelChoices

    def label_from_instance(self, obj):
        return obj.name


class RegionFilter(django_filters.ModelChoiceFilter):
    field_class = RegionChoiceField


class PeopleFilter(django_filters.Filter):
    field_class = forms.IntegerField


def _regions(request):
    """Regions sorted by their name in the reader's language."""
    return Region.objects.order_by(region_name_field())


def _force_choices():
    return FORCE_GROUPS + list(Case.Force.choices)


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("unit, place, words")}),
    )
    # A case is found when the days it can have happened overlap the asked period: a
    # "March 2022" case by date_from=2022-03-15, a case "not after 5 March" by
    # date_to=2022-03-01 (tracker/models/possible_dates.py; the methodology page).
    date_from = django_filters.DateFilter(
        label=_("Refusal from"),
        field_name="event_date_latest",
        lookup_expr="gte",
        widget=IsoDateInput(),
    )
    date_to = django_filters.DateFilter(
        label=_("Refusal until"), method="filter_date_to", widget=IsoDateInput()
    )
    region = RegionFilter(
        label=_("Home region"),
        field_name="home_region",
        to_field_name="code",
        queryset=_regions,
        empty_label=_("any"),
    )
    force = django_filters.ChoiceFilter(
        label=_("Force"), choices=_force_choices, method="filter_force", empty_label=_("any")
    )
    service_status = django_filters.ChoiceFilter(
        label=_("Service status"), choices=Case.ServiceStatus.choices, empty_label=_("any")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind of refusal"),
        field_name="refusal_kind",
        choices=Case.RefusalKind.choices,
        empty_label=_("any"),
    )
    outcome = django_filters.ChoiceFilter(
        label=_("What followed"),
        choices=CaseOutcome.Outcome.choices,
        method="filter_outcome",
        empty_label=_("any"),
    )
    confidence = django_filters.ChoiceFilter(
        label=_("Confidence"), choices=Case.Confidence.choices, empty_label=_("any")
    )
    court = django_filters.ChoiceFilter(
        label=_("Court case"),
        choices=CaseEvent.Result.choices,
        method="filter_court",
        empty_label=_("any"),
        help_text=_("Where the latest step of the case's legal proceedings stands."),
    )
    people = PeopleFilter(
        label=_("At least this many people"),
        field_name="people_count",
        lookup_expr="gte",
        min_value=1,
        max_value=1_000_000,
    )
    outlet = django_filters.CharFilter(
        label=_("Source outlet"), method="filter_outlet", max_length=100
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort"),
        choices=[(key, label) for key, (label, _order) in SORTS.items()],
        method="filter_sort",
        empty_label=None,
    )

    class Meta:
        model = Case
        fields = []
        # Renders the selects fast: the form is drawn on every listing request.
        form = FilterForm

    def __init__(self, data=None, *args, **kwargs):
        # The sort select shows the order actually used: ranked for a search, newest
        # refusal first otherwise (not whichever option happens to come first).
        if data is not None and not data.get("sort"):
            data = data.copy()
            data["sort"] = "relevance" if data.get("q") else DEFAULT_SORT
        super().__init__(data, *args, **kwargs)

    # The form class, made once per interface language (its labels are lazy, but the
    # region list's order is read in the language active when the form class is made).
    _form_classes = {}

    def get_form_class(self):
        key = (type(self), get_language())
        form_class = self._form_classes.get(key)
        if form_class is None:
            form_class = super().get_form_class()
            form_class.prepare_fields()
            form_class.base_fields["sort"].initial = DEFAULT_SORT
            form_class = self._form_classes.setdefault(key, form_class)
        return form_class

    def sort_bounds(self):
        """Where the event dates of every case the date filters select lie, for the
        pagination (tracker.pagination.paginate): a case's date is never after the
        earliest day it can have happened, and a month or a year is stored as its first
        day, so a case found from `date_from` is dated on or after it, or exactly the
        first day of its month or year."""
        if not self.is_bound:
            return {}
        # Cleans the form (once); an invalid value is left out, as `qs` leaves it out.
        self.is_valid()
        data = self.form.cleaned_data
        return date_sort_bounds(data.get("date_from"), data.get("date_to"))

    @classmethod
    def sort_bounds_of(cls, params):
        """`sort_bounds()` from raw parameters, reading only the two dates (no query)."""
        dates = []
        for name in ("date_from", "date_to"):
            try:
                dates.append(
                    cls.base_filters[name].field_class(required=False).clean(params.get(name))
                )
            except forms.ValidationError:
                dates.append(None)
        return date_sort_bounds(*dates)

    def filter_q(self, queryset, name, value):
        return search_cases(queryset, value)

    def filter_date_to(self, queryset, name, value):
        # The second condition follows from the first (a month's or year's date is stored
        # as its first day, so it is never after the earliest possible day); it is there
        # for PostgreSQL's planner: without it, newest-first with an early date_to walks
        # the event_date index from the newest case and filters almost every row (1 s at
        # 60,000 cases), as it cannot know the matches are all at the far end.
        return queryset.filter(
            Q(event_date_earliest__lte=value),
            Q(event_date__lte=value) | Q(event_date__isnull=True),
        )

    def filter_force(self, queryset, name, value):
        if value in dict(FORCE_GROUPS):
            # A list rather than LIKE 'army_%', so that the (force, …) index serves it.
            group = [force for force in Case.Force.values if force.startswith(f"{value}_")]
            return queryset.filter(force__in=group)
        return queryset.filter(force=value)

    def filter_outcome(self, queryset, name, value):
        return queryset.with_outcome(value)

    def filter_court(self, queryset, name, value):
        # The latest legal step with a result says where the proceedings stand; an earlier
        # "pending" overtaken by a ruling does not count.
        later = CaseEvent.objects.filter(
            case=OuterRef("case"), date__gt=OuterRef("date"), result__gt=""
        )
        latest = CaseEvent.objects.filter(case=OuterRef("pk"), result=value).exclude(Exists(later))
        return queryset.filter(Exists(latest))

    def filter_outlet(self, queryset, name, value):
        # A normalised key kept on the case (tracker/lookups.py): "Медиазона",
        # "mediazona.org" and "Mediazona" find the same sources; a word of the name does
        # too, a fragment of a word does not.
        key = outlet_key(value)
        if not key:
            return queryset
        return queryset.with_outlet(key)

    def filter_sort(self, queryset, name, value):
        # Applied in `qs` so that a missing or invalid sort still orders the results.
        return queryset

    @property
    def qs(self):
        queryset = super().qs
        data = self.form.cleaned_data if self.is_bound else {}
        # A search without a chosen sort shows the best matches first.
        sort = data.get("sort") or ("relevance" if data.get("q") else DEFAULT_SORT)
        if sort == "relevance":
            return order_by_relevance(queryset, fallback=SORTS[DEFAULT_SORT][1])
        return queryset.order_by(*SORTS[sort][1])


def date_sort_bounds(date_from, date_to):
    """See CaseFilter.sort_bounds."""
    if not (date_from or date_to):
        return {}
    # From `date_from` on, and a month's or a year's case dated the first day of the
    # month or year `date_from` falls in (and undated cases with a range of dates).
    also_lower = ()
    if date_from:
        also_lower = tuple(
            sorted({date_from.replace(month=1, day=1), date_from.replace(day=1)} - {date_from})
        )
    return {"event_date": SortBounds(date_from, date_to, also_lower)}


class FiltersCopiedLightly(dict):
    """The FilterSet's filters, which django-filter deep-copies for every FilterSet (every
    listing, export, feed and API request). Each filter's own attributes are all this
    project's filters need of their own (`parent` and `model` are set on the copy, a
    queryset filter writes into `extra`, a method filter's helper points back at the
    filter), so a shallow copy with its own `extra` and helper does."""

    def __deepcopy__(self, memo):
        copied = {}
        for name, filter_ in self.items():
            copied[name] = copy.copy(filter_)
            # A form field the filter made (`Filter.field`, e.g. for the API schema) is
            # not shared: each language's form class prepares fields of its own.
            copied[name].__dict__.pop("_field", None)
            copied[name].extra = filter_.extra.copy()
            if filter_.method is not None:
                # A method filter calls its method through a helper bound to the filter
                # instance (django_filters.filters.FilterMethod): bind one to the copy.
                copied[name].method = filter_.method
        return copied


CaseFilter.base_filters = FiltersCopiedLightly(CaseFilter.base_filters)
