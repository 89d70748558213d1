"""The page around the listing's and the home page's content is drawn once per language
(tracker/shell.py); what differs between readers and requests is put in per request."""

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

LIST_URL = reverse("tracker:case_list")


def token(response):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]


def test_each_reader_gets_a_token_of_their_own_that_works(published_case):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_page, second_page = first.get(LIST_URL), second.get(LIST_URL)
    assert token(first_page) != token(second_page)
    assert first_page.cookies["csrftoken"].value != second_page.cookies["csrftoken"].value
    response = second.post(
        reverse("set_language"),
        {"language": "ru", "next": LIST_URL, "csrfmiddlewaretoken": token(second_page)},
    )
    assert response.status_code == 302
    assert second.get(LIST_URL).content.decode().count('<html lang="ru">') == 1


def test_the_language_switcher_returns_to_the_page_with_its_filter(client, published_case):
    page = client.get(LIST_URL, {"q": 'a "quoted" <word>', "kind": "self_injury"})
    html = page.content.decode()
    assert (
        '<input name="next" type="hidden" '
        'value="/cases/?q=a+%22quoted%22+%3Cword%3E&amp;kind=self_injury">'
    ) in html
    # The feed link of the head carries the filter too.
    assert 'href="/cases/feed/?q=a+%22quoted%22+%3Cword%3E&amp;kind=self_injury"' in html


def test_without_a_filter_the_feed_link_has_no_query(client, published_case):
    html = client.get(LIST_URL).content.decode()
    assert 'href="/cases/feed/"' in html
    assert '<input name="next" type="hidden" value="/cases/">' in html


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "Cases"), ("ru", "Случаи"), ("uk", "Випадки")]
)
def test_the_shell_is_in_the_readers_language(client, published_case, language, heading):
    html = client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<html lang="{language}">' in html
    assert f"<title>{heading} · " in html
    assert html.count("<main") == 1 and html.count("</html>") == 1
