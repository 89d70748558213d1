"""The listing's rows, each drawn once per case and language and kept in the shared cache.

Drawing a row (a template with its includes, the ORM objects behind it) was about half of
an uncached listing page's CPU. A row shows only the case and the reader's language
(title version, labels, date and number formats), nothing of the reader, so the HTML of
the same case is the same on every listing, filter and page that shows it. The page
itself then needs only its cases' ids from the database, and one `get_many` from the
cache; only the rows not in the cache are read in full and drawn.

Freshness: the key holds the public cache version (`tracker.cache`), which every change
to a case or anything shown with it (outcomes, its region) replaces, including bulk
writes that call `bump_version()`; and a digest of the code that draws a row (its
templates, the compiled translations, Django's version), so that rows drawn before a
deploy are not served after it. Shared by every worker (Redis or the file cache).
"""

import functools
import hashlib
from pathlib import Path

import django
from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .cache import current_version
from .models import Case

ROW_TEMPLATE = "tracker/_case_row.html"
# Everything a row's HTML is drawn from besides the case and the language.
ROW_SOURCES = (
    "templates/tracker/_case_row.html",
    "templates/tracker/_event_date.html",
    "templates/tracker/_people_count.html",
    "tracker/templatetags/choice_labels.py",
    "locale/*/LC_MESSAGES/django.mo",
)
# Rows are keyed by the version, so an old one is never served; this only bounds how long
# rows of cases nobody lists any more occupy the cache.
ROW_TIMEOUT = 60 * 60
# What the page query reads of each case: its id and the values the next/previous links'
# cursors are made of (tracker.pagination.Keyset), nothing the row shows.
PAGE_FIELDS = ("id", "event_date", "people_count", "published_at")


@functools.cache
def code_stamp():
    """A digest of the files that draw a row, read once per process."""
    digest = hashlib.sha256(django.__version__.encode())
    base = Path(settings.BASE_DIR)
    for pattern in ROW_SOURCES:
        for path in sorted(base.glob(pattern)):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def row_key(version, language, pk):
    return f"tracker:public:row:{code_stamp()}:{version}:{language}:{pk}"


def page_queryset(queryset):
    """The listing's queryset (without joins or prefetches) reduced to what paging
    needs, as named tuples of PAGE_FIELDS rather than model instances, which cost more
    to make than the page query took."""
    return queryset.values_list(*PAGE_FIELDS, named=True)


def listing_rows(cases):
    """The HTML of each case's row (tracker/_case_row.html), in the order of `cases`
    (anything with an `id`: cases or rows of `page_queryset`)."""
    if not cases:
        return []
    version, language = current_version(), get_language()
    keys = {case.id: row_key(version, language, case.id) for case in cases}
    found = cache.get_many(keys.values())
    missing = [pk for pk, key in keys.items() if key not in found]
    if missing:
        template = get_template(ROW_TEMPLATE)
        drawn = {
            keys[case.pk]: template.render({"case": case})
            for case in Case.objects.public().for_listing().filter(pk__in=missing)
        }
        cache.set_many(drawn, ROW_TIMEOUT)
        found.update(drawn)
    # Drawn by our own template, so already escaped. A case unpublished between the two
    # queries has no row.
    return [mark_safe(found[key]) for key in keys.values() if key in found]  # noqa: S308
