import pytest
from django.urls import reverse

from tests.helpers import listed_titles

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url_name", ["tracker:home", "tracker:case_list"])
def test_unpublished_cases_never_appear_on_public_pages(
    client, url_name, published_case, draft_case, retracted_case
):
    response = client.get(reverse(url_name))
    content = response.content.decode()
    assert published_case.title in content
    assert draft_case.title not in content
    assert retracted_case.title not in content


def test_unpublished_cases_are_not_found_by_search_either(client, draft_case, retracted_case):
    response = client.get(reverse("tracker:case_list"), {"q": "canary"})
    assert listed_titles(response) == []


def test_a_draft_case_page_answers_404(client, draft_case):
    response = client.get(reverse("tracker:case_detail", args=[draft_case.pk]))
    assert response.status_code == 404
    assert draft_case.title not in response.content.decode()


def test_a_retracted_case_page_says_it_was_withdrawn_and_why(client, retracted_case):
    response = client.get(reverse("tracker:case_detail", args=[retracted_case.pk]))
    content = response.content.decode()
    assert response.status_code == 410
    assert "This case was withdrawn" in content
    assert retracted_case.retraction_reason in content
    assert retracted_case.summary not in content


def test_headline_figures_count_only_published_cases(
    client, published_case, draft_case, retracted_case
):
    response = client.get(reverse("tracker:home"))
    assert response.context["figures"]["cases"] == 1
    assert response.context["figures"]["people"] == published_case.people_count
