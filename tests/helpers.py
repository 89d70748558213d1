import html
import re

TITLE_RE = re.compile(r'<h3 class="case-title"[^>]*><a href="[^"]*">(.*?)</a></h3>', re.S)


def listed_titles(response):
    """The case titles a reader sees on a listing page, in order."""
    return [html.unescape(title) for title in TITLE_RE.findall(response.content.decode())]
