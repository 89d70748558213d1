"""The page around a public page's cached content, drawn once per language.

An anonymous reader's listing or home page from the page cache spent two thirds of its
CPU drawing base.html around the cached content: the header, the language switcher, the
footer, a dozen translated strings, URLs and static paths, the same for every reader of a
language. Here each page's shell is drawn once per process and language with markers in
place of what differs between requests, and each request only puts in its own values:
the content, the filter's query string and the page's own URL for the switcher's `next`.
Nothing in it is the reader's own: the language switcher is checked by origin, not by a
CSRF token (tracker.security.origin_checked), so an anonymous page sets no cookie.

The shell holds nothing from the database (templates, translations, URLs and static
paths only), so a process-wide memo cannot go stale between deploys. Logged-in users,
and a reader with messages to show, get the page drawn in full.
"""

import secrets

from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.shortcuts import render
from django.template import Context
from django.template.loader import get_template
from django.utils.html import conditional_escape
from django.utils.translation import get_language

# Markers that no template, translation or escaping produces or alters.
_MARK = f"shellslot{secrets.token_hex(8)}"
PATH_SLOT = f"{_MARK}path"

_SHELLS = {}


class _ShellRequest:
    """What the shell's templates read of the request, as markers."""

    def get_full_path(self):
        return PATH_SLOT


def _slot(name):
    return f"{_MARK}{name}"


def _shell(template_name, context):
    # A variable's truth decides `{% if %}`s in the templates: part of the key.
    key = (template_name, get_language(), *((name, bool(value)) for name, value in context.items()))
    if key not in _SHELLS:
        template = get_template(template_name).template
        values = {name: _slot(name) if value else value for name, value in context.items()}
        _SHELLS[key] = template.render(
            Context(
                {**values, "request": _ShellRequest(), "messages": ()},
                autoescape=True,
            )
        )
    return _SHELLS[key]


def render_public(request, template_name, context):
    """`render(request, template_name, context)` for a public page whose template only
    prints the context's values (`{{ name }}`, `{% if name %}`) inside base.html."""
    if request.user.is_authenticated or get_messages(request):
        return render(request, template_name, context)
    html = _shell(template_name, context)
    for name, value in context.items():
        if value:
            html = html.replace(_slot(name), conditional_escape(value))
    html = html.replace(PATH_SLOT, conditional_escape(request.get_full_path()))
    return HttpResponse(html)
