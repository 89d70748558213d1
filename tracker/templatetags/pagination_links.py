"""`{% pagination_links page %}`: the previous/next links and "Page N of M" under a list.

Drawn in Python rather than by an included template: under the public listing it was
about a tenth of an uncached page's CPU (an include, two `{% querystring %}` and a
`{% blocktranslate %}` with `intcomma`), for a few links. The output is what the template
drew, byte for byte.

`page` is the listing's `tracker.pagination.ListingPage` (next/previous links carry a
keyset cursor, `after`/`before`, so that deep pages cost what the first does; `page` is
kept for the reader and for shared URLs) or a Django `Page` (the moderation lists: no
cursor, no count when it is not known).
"""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaulttags import querystring
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


def _called(value):
    return value() if callable(value) else value


@register.simple_tag(takes_context=True)
def pagination_links(context, page):
    query = context.request.GET
    has_previous, has_next = _called(page.has_previous), _called(page.has_next)
    if not (has_previous or has_next):
        return mark_safe("\n\n")
    number = page.number

    def link(rel, text, **changes):
        href = conditional_escape(querystring(None, query, **changes))
        return f'<a rel="{rel}" href="{href}">{conditional_escape(text)}</a>'

    previous, following = "", ""
    if has_previous and number <= 2:
        previous = link("prev", gettext("← Previous"), page=None, after=None, before=None)
    elif has_previous:
        before = getattr(page, "before", None)
        previous = link("prev", gettext("← Previous"), page=number - 1, before=before, after=None)
    if has_next:
        after = getattr(page, "after", None)
        following = link("next", gettext("Next →"), page=number + 1, after=after, before=None)
    # The count of pages when it is known (a Django `Page` does not say it).
    pages = getattr(page, "num_pages", None)
    if pages:
        where = gettext("Page %(number)s of %(count)s") % {
            "number": intcomma(number),
            "count": intcomma(pages),
        }
    else:
        where = gettext("Page %(number)s") % {"number": intcomma(number)}
    label = conditional_escape(gettext("Pages"))
    return mark_safe(  # noqa: S308 (every part above is escaped)
        f'\n\n<nav class="pagination" aria-label="{label}">\n  {previous}\n'
        f"  <span>{conditional_escape(where)}</span>\n  {following}\n</nav>\n\n"
    )
