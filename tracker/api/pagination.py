"""The API's pages, as cheap at a million cases as the listing's (tracker/pagination.py).

DRF's page-number pagination counts every matching row on every request (~100 ms over a
million published cases) and reaches page N with OFFSET. Here the API pages the way the
listing does: the count is exact up to `COUNT_CAP` and otherwise says "more than 1,000"
(with the planner's estimate for the unfiltered list), and `next`/`previous` carry the
listing's keyset cursor (`after=`/`before=`), so following them costs the same on every
page. `page=N` still works, as in the listing.
"""

from django.conf import settings
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from tracker.filters import DEFAULT_SORT, SORTS, CaseFilter
from tracker.pagination import (
    COUNT_CAP,
    COUNT_UNKNOWN,
    kept_capped_count,
    page_number,
    page_size,
    paginate,
    planner_estimate,
)
from tracker.search import is_ranked

# Parameters that place a page, not choose cases.
POSITION = ("page", "after", "before", "per_page")


class CasePagination(BasePagination):
    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        params = request.query_params
        # Bounded and kept as the listing's count is: past the time limit the page says
        # "more than" the rows it has seen.
        count = kept_capped_count(queryset, settings.LISTING_COUNT_TIMEOUT_MS)
        unknown = count == COUNT_UNKNOWN
        # Ranking more matches than the cap costs a scan of all of them: newest first
        # instead, as the listing does.
        if is_ranked(queryset) and (unknown or count > COUNT_CAP):
            queryset = queryset.order_by(*SORTS[DEFAULT_SORT][1])
        filtered = any(value for name, value in params.items() if name not in (*POSITION, "sort"))
        per_page, number = page_size(params.get("per_page")), page_number(params.get("page"))
        if not unknown and count <= COUNT_CAP and number > max(1, -(-count // per_page)):
            raise NotFound("There is no such page.")
        self.page = paginate(
            queryset,
            count=count,
            per_page=per_page,
            number=number,
            after=params.get("after"),
            before=params.get("before"),
            estimate=None if filtered else lambda: planner_estimate(queryset),
            # As the listing: a date filter tells the first page where its range starts.
            sort_bounds=CaseFilter.sort_bounds_of(params),
        )
        if not self.page.cases and self.page.number > 1 and not params.get("after"):
            raise NotFound("There is no such page.")
        return self.page.cases

    def _link(self, **position):
        url = self.request.build_absolute_uri()
        for name in ("page", "after", "before"):
            url = remove_query_param(url, name)
        for name, value in position.items():
            url = replace_query_param(url, name, value)
        return url

    def get_next_link(self):
        if not self.page.has_next:
            return None
        if self.page.after:
            return self._link(after=self.page.after)
        return self._link(page=self.page.number + 1)

    def get_previous_link(self):
        if not self.page.has_previous:
            return None
        if self.page.before:
            return self._link(before=self.page.before)
        if self.page.number <= 2:
            return self._link()
        return self._link(page=self.page.number - 1)

    def get_paginated_response(self, data):
        page = self.page
        return Response(
            {
                "count": None if page.count_is_capped else page.count,
                # The cap, or the rows seen when the count took too long.
                "count_more_than": page.count if page.count_is_capped else None,
                "count_estimate": page.estimate,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        nullable_url = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["count", "count_more_than", "count_estimate", "next", "previous"],
            "properties": {
                "count": {
                    "type": "integer",
                    "nullable": True,
                    "description": f"The number of matching cases, exact up to {COUNT_CAP}; "
                    "null above (see count_more_than).",
                },
                "count_more_than": {
                    "type": "integer",
                    "nullable": True,
                    "description": f"{COUNT_CAP} when more cases match than are counted "
                    "(or, when counting took too long, the number of cases up to this "
                    "page's end), else null.",
                },
                "count_estimate": {
                    "type": "integer",
                    "nullable": True,
                    "description": "For the unfiltered list beyond the cap: the database's "
                    "estimate of the number of published cases (two significant figures).",
                },
                "next": nullable_url,
                "previous": nullable_url,
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        def parameter(name, description, schema):
            return {
                "name": name,
                "required": False,
                "in": "query",
                "description": description,
                "schema": schema,
            }

        return [
            parameter("page", "A page by its position.", {"type": "integer", "minimum": 1}),
            parameter("after", "The cursor of a `next` link.", {"type": "string"}),
            parameter("before", "The cursor of a `previous` link.", {"type": "string"}),
        ]
