"""Full-text search over cases: the one place that decides how `q` is matched.

The public listing, the export, the feed and the API all reach search through
`CaseFilter`, which calls `search_cases`; a better search changes here and nowhere else.

On PostgreSQL, `tracker_case.search_vector` is a stored generated `tsvector` column
(migration 0003) over the title (weight A), the unit, place and named people (B) and the
summary (C), built with the `russian` text search configuration, which stems Cyrillic
words with the Russian Snowball stemmer and Latin words with the English one. A GIN index
(`case_search_vector_gin`) serves `@@`. Every word of the query must match its stem (so
"deserted" finds "deserting"); when that finds nothing, the last word is taken as the
beginning of a word, so "paratroo" finds "paratroopers" and "десантн" finds
"десантники". A fragment that runs past the stem ("alternat" for "alternative", stem
"altern") does not match: the stored vector holds stems, not whole words.

The column is not a model field, so that ordinary queries never fetch it.

On SQLite (the embedded default) every word is matched with `icontains` instead (a
substring of any of the fields, with SQLite's ASCII-only case folding), and results are
not ranked.
"""

import re

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorExact,
    SearchVectorField,
)
from django.db import connection
from django.db.models import Expression, Q

SEARCH_FIELDS = ("title", "summary", "unit", "location", "named_people")
MAX_WORDS = 10
# The sort key the listing uses for "best match first"; see `order_by_relevance`.
RANK = "search_rank"
# Letters and digits; everything else (quotes, &, |, !, :, _) separates words, so no user
# input can reach the tsquery syntax.
WORD_RE = re.compile(r"[^\W_]+")


def uses_full_text():
    return connection.vendor == "postgresql"


def search_words(query):
    return WORD_RE.findall(query)[:MAX_WORDS]


class SearchVectorColumn(Expression):
    """`tracker_case.search_vector`, qualified with whatever alias the case table has in
    the query it ends up in (exports and the pagination subquery relabel it to U0)."""

    def __init__(self, alias="tracker_case"):
        super().__init__(output_field=SearchVectorField())
        self.alias = alias

    def relabeled_clone(self, change_map):
        return self.__class__(change_map.get(self.alias, self.alias))

    def as_sql(self, compiler, connection):
        column = connection.ops.quote_name("search_vector")
        return f"{compiler.quote_name_unless_alias(self.alias)}.{column}", []

    def get_group_by_cols(self):
        return [self]

    def __eq__(self, other):
        return isinstance(other, SearchVectorColumn) and other.alias == self.alias

    def __hash__(self):
        return hash((self.__class__, self.alias))


def _tsquery(words, *, prefix):
    query = None
    for position, word in enumerate(words, start=1):
        # A stop word ("the", "и") becomes an empty query, which PostgreSQL drops.
        term = word.lower() + (":*" if prefix and position == len(words) else "")
        term = SearchQuery(term, search_type="raw", config="russian")
        query = term if query is None else query & term
    return query


def search_cases(queryset, query, *, decided=None):
    """Cases that match every word of `query`; on PostgreSQL, annotated with a rank.

    `decided`, a dict, remembers whether the last word was taken as a prefix, so that the
    same search applied again (the listing's counts beside its filters) asks once."""
    words = search_words(query)
    if not words:
        return queryset
    if uses_full_text():
        # The last word may be unfinished: if the words as stems match nothing, it is
        # taken as the beginning of a word. Only then, because a prefix of a common stem
        # costs the GIN index several times more (it reads every matching entry's list).
        decided = {} if decided is None else decided
        if query not in decided:
            exact = _tsquery(words, prefix=False)
            decided[query] = not queryset.filter(_search_match(exact)).exists()
        tsquery = _tsquery(words, prefix=decided[query])
        return queryset.annotate(
            **{RANK: SearchRank(SearchVectorColumn(), tsquery, cover_density=False)}
        ).filter(_search_match(tsquery))
    for word in words:
        match = Q()
        # SQLite's LIKE ignores case for ASCII letters only: try the usual spellings of
        # a Cyrillic word too.
        for spelling in {word, word.lower(), word.capitalize()}:
            for field in SEARCH_FIELDS:
                match |= Q(**{f"{field}__icontains": spelling})
        queryset = queryset.filter(match)
    return queryset


def _search_match(tsquery):
    return SearchVectorExact(SearchVectorColumn(), tsquery)


def is_ranked(queryset):
    return RANK in queryset.query.annotations


def order_by_relevance(queryset, fallback):
    """Best match first where search ranked the results, otherwise `fallback` order."""
    if is_ranked(queryset):
        return queryset.order_by(f"-{RANK}", "-id")
    return queryset.order_by(*fallback)
