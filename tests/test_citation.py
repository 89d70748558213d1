import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_case
from tracker.models import Case

pytestmark = pytest.mark.django_db


def citation_of(client, url):
    response = client.get(url, follow=True)
    assert response.status_code == 200
    content = response.content.decode()
    match = re.search(r'<p class="citation">(.*?)</p>', content, re.S)
    assert match, "no citation on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip()


@pytest.fixture
def case(region):
    return make_case(
        title="Guardsmen of unit 3723 dismissed",
        home_region=region,
        published_at=datetime.datetime(2024, 3, 5, 12, 0, tzinfo=datetime.UTC),
    )


def test_the_case_page_gives_a_citation_with_title_url_and_both_dates(client, case):
    citation = citation_of(client, case.get_absolute_url())
    today = timezone.now().date()
    assert citation == (
        f"Refusal Tracker, “Guardsmen of unit 3723 dismissed”, case {case.pk}, "
        f"published 2024-03-05, http://testserver/cases/{case.pk}/ "
        f"(accessed {today:%Y-%m-%d})."
    )


def test_the_cited_url_survives_a_title_change(client, case):
    cited = f"/cases/{case.pk}/"
    old_slug_url = case.get_absolute_url()
    case.title = "Appeal of the 3723 guardsmen rejected"
    case.save()
    assert client.get(cited).status_code == 200
    # The old address with the old title still leads to the case, under its new title.
    response = client.get(old_slug_url, follow=True)
    assert response.redirect_chain == [(case.get_absolute_url(), 301)]
    assert f"http://testserver{cited}" in citation_of(client, cited)
    assert "“Appeal of the 3723 guardsmen rejected”" in citation_of(client, old_slug_url)


def test_a_title_with_markup_is_cited_as_text(client, region):
    case = make_case(title="<script>alert(1)</script> & co", home_region=region)
    content = client.get(reverse("tracker:case_detail", args=[case.pk])).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "“<bdi>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</bdi>”" in content


def test_a_retracted_case_is_not_offered_for_citation(client, retracted_case):
    response = client.get(reverse("tracker:case_detail", args=[retracted_case.pk]))
    assert response.status_code == 410
    assert 'class="citation"' not in response.content.decode()


def test_the_citation_uses_the_publication_date_not_the_event_date(client, region):
    case = make_case(
        event_date=datetime.date(2022, 2, 26),
        published_at=datetime.datetime(2025, 1, 9, tzinfo=datetime.UTC),
        status=Case.Status.PUBLISHED,
        home_region=region,
    )
    citation = citation_of(client, case.get_absolute_url())
    assert "published 2025-01-09" in citation
    assert "2022-02-26" not in citation
