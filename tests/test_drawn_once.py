"""{% once_per_language %} (tracker/templatetags/drawn_once.py): fixed parts of a hot
template drawn once per language, never anything that differs between requests."""

import pytest
from django.template import Context, Engine, TemplateSyntaxError
from django.urls import reverse, set_script_prefix
from django.utils import translation

ENGINE = Engine(
    libraries={"drawn_once": "tracker.templatetags.drawn_once"},
    builtins=[
        "django.templatetags.i18n",
    ],
)


def template(body):
    return ENGINE.from_string("{% load drawn_once %}" + body)


def test_each_language_gets_its_own_text_and_the_links_follow_the_script_prefix():
    drawn = template(
        "{% once_per_language %}<a href=\"{% url 'tracker:case_list' %}\">"
        '{% translate "Apply" %}</a>{% end_once_per_language %}'
    )
    with translation.override("en"):
        english = drawn.render(Context())
    with translation.override("ru"):
        russian = drawn.render(Context())
    with translation.override("en"):
        assert drawn.render(Context()) == english
    assert english == f'<a href="{reverse("tracker:case_list")}">Apply</a>'
    assert russian != english and "Apply" not in russian
    try:
        set_script_prefix("/tracker/")
        with translation.override("en"):
            assert 'href="/tracker/cases/"' in drawn.render(Context())
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize(
    "inside",
    [
        "{{ name }}",
        "{% if name %}x{% endif %}",
        "{% translate name %}",
        '{% translate "Apply" as apply %}',
        '{% translate "Apply"|upper %}',
        "{% url view_name %}",
        "{% url 'tracker:case_detail' pk %}",
        "{% blocktranslate %}Apply{% endblocktranslate %}",
    ],
)
def test_anything_that_may_differ_between_requests_is_refused_when_compiled(inside):
    with pytest.raises(TemplateSyntaxError, match="once_per_language"):
        template(f"{{% once_per_language %}}a{inside}b{{% end_once_per_language %}}")


def test_a_value_outside_the_block_is_drawn_for_each_request():
    drawn = template(
        "{% once_per_language %}<p>{% end_once_per_language %}{{ name }}"
        "{% once_per_language %}</p>{% end_once_per_language %}"
    )
    with translation.override("en"):
        assert drawn.render(Context({"name": "one"})) == "<p>one</p>"
        assert drawn.render(Context({"name": "two"})) == "<p>two</p>"
