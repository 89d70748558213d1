"""Plain text of a captured page, for moderators to read without opening the page.

The standard library's HTML parser: no script is run and nothing is loaded; scripts,
styles and other invisible parts are dropped, block elements become line breaks.
"""

import re
from html.parser import HTMLParser

# Text longer than this is cut: moderators read it on a page, the bytes are kept whole.
MAX_TEXT = 500_000
SKIPPED = {"script", "style", "noscript", "template", "svg", "iframe", "object", "head"}
BLOCKS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
    "section", "article", "header", "footer", "blockquote", "pre", "hr", "title", "dd", "dt",
    "figcaption", "main", "aside", "nav",
}  # fmt: skip
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)


class _TextParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skipping = 0
        self.title = []
        self.in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
        elif tag in SKIPPED:
            self.skipping += 1
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        elif tag in SKIPPED and self.skipping:
            self.skipping -= 1
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.in_title:
            self.title.append(data)
        elif not self.skipping:
            self.parts.append(data)


def charset_of(content_type, body):
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", content_type or "", re.I)
    if match:
        return match.group(1)
    found = META_CHARSET.search(body[:4096])
    return found.group(1).decode("ascii") if found else "utf-8"


def decode(content_type, body):
    charset = charset_of(content_type, body)
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def _tidy(text):
    lines = (" ".join(line.split()) for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def extract_text(content_type, body):
    """Readable text of an HTML or plain-text body; "" for anything else (PDF, images)."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml") or (
        not kind and body.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html"))
    ):
        parser = _TextParser()
        parser.feed(decode(content_type, body))
        parser.close()
        title = _tidy("".join(parser.title))
        text = _tidy("".join(parser.parts))
        text = f"{title}\n\n{text}" if title else text
    elif kind.startswith("text/"):
        text = _tidy(decode(content_type, body))
    else:
        return ""
    return text[:MAX_TEXT]
