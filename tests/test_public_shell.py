"""The page around the listing's and the home page's content is drawn once per language
(tracker/shell.py); what differs between readers and requests is put in per request."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

LIST_URL = reverse("tracker:case_list")


def switch_language(client, language, **headers):
    return client.post(
        reverse("set_language"), {"language": language, "next": LIST_URL}, headers=headers
    )


def test_an_anonymous_page_holds_nothing_of_the_reader_and_sets_no_cookie(published_case):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_page, second_page = first.get(LIST_URL), second.get(LIST_URL)
    assert first_page.content == second_page.content
    assert "csrfmiddlewaretoken" not in first_page.content.decode()
    assert not first_page.cookies and not second_page.cookies


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
        {"Sec-Fetch-Site": "same-origin"},
        # A browser that sends no Sec-Fetch-Site still sends the Origin of a POST.
        {"Origin": "http://testserver"},
    ],
)
def test_the_switcher_works_from_a_page_of_the_site_without_a_token(published_case, headers):
    reader = Client(enforce_csrf_checks=True)
    reader.get(LIST_URL)
    response = switch_language(reader, "ru", **headers)
    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    assert reader.get(LIST_URL).content.decode().count('<html lang="ru">') == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://attacker.example"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://sub.testserver"},
        {"Origin": "https://attacker.example"},
        {"Origin": "null"},
        {},  # neither header: not taken for a page of ours
    ],
)
def test_a_forged_language_switch_is_refused_and_changes_nothing(published_case, headers):
    reader = Client(enforce_csrf_checks=True)
    response = switch_language(reader, "ru", **headers)
    assert response.status_code == 403
    assert "Nothing was sent" in response.content.decode()
    assert "django_language" not in response.cookies
    assert '<html lang="en">' in reader.get(LIST_URL).content.decode()


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
