from django.conf import settings
from rest_framework.pagination import PageNumberPagination


class CasePagination(PageNumberPagination):
    # The same parameters as the HTML listing: page and per_page.
    page_size = settings.CASES_PAGE_SIZE
    page_size_query_param = "per_page"
    max_page_size = settings.CASES_MAX_PAGE_SIZE
