"""The report form's error banner names each field that needs another look, as a link
to it, and takes the focus; required questions are marked and the introduction says which."""

import html
import re

import pytest
from django.urls import reverse

from tests.conftest import submission_form_data

pytestmark = pytest.mark.django_db

SUBMIT_URL = reverse("submissions:submit")


def banner(response):
    content = response.content.decode()
    match = re.search(
        r'<div class="alert alert-danger error-summary"[^>]*>.*?</div>', content, re.S
    )
    return match[0] if match else None


def links(response):
    return [
        (target, html.unescape(label))
        for target, label in re.findall(r'<li><a href="#([^"]+)">(.*?)</a>', banner(response))
    ]


def test_the_banner_links_each_wrong_answer_in_the_order_of_the_page(client):
    data = submission_form_data(
        what_happened="",
        relation=None,
        consent_to_publish=None,
        people_count="-3",
        **{"sources-0-url": "not a link"},
    )
    response = client.post(SUBMIT_URL, data)
    assert response.status_code == 200
    assert links(response) == [
        ("id_what_happened", "What happened?"),
        ("id_people_count", links(response)[1][1]),
        ("id_sources-0-url", "Source 1: Link"),
        ("id_relation_0", links(response)[3][1]),
        ("id_consent_to_publish", links(response)[4][1]),
    ]
    content = response.content.decode()
    # Every link leads to an element of the page.
    for target, _label in links(response):
        assert f'id="{target}"' in content, target
    # What was typed is kept.
    assert 'value="not a link"' in content


def test_the_banner_takes_the_focus_without_a_script(client):
    response = client.post(SUBMIT_URL, submission_form_data(what_happened=""))
    opening = re.search(r'<div class="alert alert-danger error-summary"[^>]*>', banner(response))[0]
    assert 'tabindex="-1"' in opening and "autofocus" in opening and 'role="alert"' in opening


def test_the_banner_is_in_russian_for_a_russian_reader(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    response = client.post(SUBMIT_URL, submission_form_data(what_happened=""))
    assert links(response) == [("id_what_happened", "Что произошло?")]
    assert "Пожалуйста, расскажите, что произошло." in html.unescape(banner(response))


def test_a_form_without_errors_has_no_banner(client):
    assert banner(client.get(SUBMIT_URL)) is None


def test_the_required_questions_are_marked_and_the_introduction_names_them(client):
    content = html.unescape(client.get(SUBMIT_URL).content.decode())
    assert "Three answers are required: what happened, how you know about it" in content
    assert "Only the first question is required" not in content
    assert content.count('<span class="asteriskField">*</span>') == 3
