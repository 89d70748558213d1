"""Full-text search over cases: the one place that decides how `q` is matched.

The public listing, the export and the API all call `search_cases`, so a better search
(PostgreSQL full-text with ranking) changes here and nowhere else.
"""

from django.db.models import Q

SEARCH_FIELDS = ("title", "summary", "unit", "location", "named_people")


def search_cases(queryset, query):
    """Cases whose text contains every word of `query` (case-insensitive)."""
    words = query.split()[:10]
    for word in words:
        match = Q()
        for field in SEARCH_FIELDS:
            match |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(match)
    return queryset
