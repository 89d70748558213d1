"""Atom feed of newly published cases: `/cases/feed/`, for any listing filter too
(`/cases/feed/?region=RU-KB&force=rosgvardia`)."""

from django.contrib.syndication.views import Feed
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.feedgenerator import Atom1Feed, Stylesheet
from django.utils.html import linebreaks
from django.utils.translation import gettext as _
from django.utils.xmlutils import SimplerXMLGenerator
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from .exports import bad_filter_response
from .filters import CaseFilter
from .models import CONTENT_LANGUAGES, Case

FEED_SIZE = 50


class StyledAtom1Feed(Atom1Feed):
    """Atom with its `<?xml-stylesheet?>` (Django writes them for RSS only): a browser
    that opens the feed shows a readable page with how to subscribe, while feed readers
    ignore the instruction."""

    def write(self, outfile, encoding):
        handler = SimplerXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        # Before the first tag: https://www.w3.org/Style/styling-XML.en.html
        for stylesheet in self.feed["stylesheets"] or []:
            handler.processingInstruction("xml-stylesheet", stylesheet)
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")


class CaseFeed(Feed):
    feed_type = StyledAtom1Feed

    def stylesheets(self):
        # Same origin, so the strict CSP allows it; the XSLT loads only our stylesheet.
        return [Stylesheet(reverse("tracker:case_feed_style"), mimetype="text/xsl")]

    def __init__(self, case_filter, query_string):
        super().__init__()
        self.case_filter = case_filter
        self.query = f"?{query_string}" if query_string else ""

    def author_name(self):
        return _("Refusal Tracker")

    def title(self):
        if self.query:
            return _("Refusal Tracker: newly published cases matching a filter")
        return _("Refusal Tracker: newly published cases")

    def subtitle(self):
        return _("Documented refusals to fight in Russia’s war on Ukraine, as they are published.")

    def link(self):
        return reverse("tracker:case_list") + self.query

    def feed_url(self):
        return reverse("tracker:case_feed") + self.query

    def items(self):
        # Newest publication first whatever `sort` says: a feed is about what is new.
        return self.case_filter.qs.select_related("home_region").order_by("-published_at", "-id")[
            :FEED_SIZE
        ]

    def item_title(self, case):
        return case.title

    def item_description(self, case):
        # The summary is plain text; the feed declares HTML, so escape it.
        return linebreaks(case.summary, autoescape=True)

    def item_link(self, case):
        # The permanent URL: it survives title changes, so it also serves as the entry id.
        return reverse("tracker:case_detail", args=[case.pk])

    def item_pubdate(self, case):
        return case.published_at

    def item_updateddate(self, case):
        return case.updated_at

    def item_categories(self, case):
        force = case.get_force_display()
        if case.force in (Case.Force.UNKNOWN, Case.Force.OTHER):
            force = _("force: %(force)s") % {"force": force}
        categories = [case.get_refusal_kind_display(), force]
        if case.home_region:
            categories.append(case.home_region.name)
        return categories


@require_safe
def case_feed(request):
    case_filter = CaseFilter(request.GET, queryset=Case.objects.public())
    if not case_filter.is_valid():
        return bad_filter_response(case_filter)
    # A feed reader sends no language cookie: `?lang=ru` asks for the cases' Russian
    # versions (the original where there is none) and a Russian feed.
    language = request.GET.get("lang")
    if language not in CONTENT_LANGUAGES:
        language = translation.get_language()
    with translation.override(language):
        response = CaseFeed(case_filter, request.GET.urlencode())(request)
    # A browser opening the feed shows application/atom+xml as plain text and applies the
    # stylesheet only to an XML type; feed readers do not ask for HTML and keep Atom's type.
    if "text/html" in request.headers.get("Accept", ""):
        response["Content-Type"] = "application/xml; charset=utf-8"
    patch_vary_headers(response, ["Accept"])
    return response


@require_safe
@vary_on_headers("Accept-Language", "Cookie")
def case_feed_style(request):
    """The XSLT that turns the Atom feed into a page in the reader's language."""
    return render(request, "tracker/feed_stylesheet.html", content_type="text/xsl; charset=utf-8")
