"""`{% once_per_language %}…{% end_once_per_language %}`: a part of a hot template that
holds only fixed text, translated strings and links, drawn once per process, language
and script prefix instead of on every request.

The uncached listing spent about a tenth of its CPU on `{% translate %}` tags whose
result is the same for every reader of a language. The block refuses, when the template
is compiled, anything whose output could differ between two requests in one language: a
variable, a filter, an `{% if %}`, a translation or URL taking a variable.
"""

from django import template
from django.template.base import TextNode
from django.template.defaulttags import CommentNode, URLNode
from django.templatetags.i18n import TranslateNode
from django.urls import get_script_prefix
from django.utils.translation import get_language

register = template.Library()


class OncePerLanguageNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.drawn = {}

    def render(self, context):
        key = (context.get("LANGUAGE_CODE") or get_language(), get_script_prefix())
        html = self.drawn.get(key)
        if html is None:
            html = self.drawn[key] = self.nodelist.render(context)
        return html


def _fixed(node):
    """Whether `node` draws the same output for every request in one language."""
    if isinstance(node, (TextNode, CommentNode)):
        return True
    if isinstance(node, TranslateNode):
        expression = node.filter_expression
        return (
            node.asvar is None
            and not expression.filters
            and getattr(expression.var, "literal", None) is not None
        )
    if isinstance(node, URLNode):
        return (
            node.asvar is None
            and not node.view_name.is_var
            and not node.view_name.filters
            and not node.args
            and not node.kwargs
        )
    return False


@register.tag
def once_per_language(parser, token):
    nodelist = parser.parse(("end_once_per_language",))
    parser.delete_first_token()
    for node in nodelist:
        if not _fixed(node):
            raise template.TemplateSyntaxError(
                f"{{% once_per_language %}} holds only fixed text, translations and "
                f"links; it cannot hold {node!r}, whose output may differ per request."
            )
    return OncePerLanguageNode(nodelist)
