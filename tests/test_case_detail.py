import datetime

import pytest
from django.urls import reverse

from tests.conftest import make_case
from tracker.models import Case, CaseEvent

pytestmark = pytest.mark.django_db


def test_the_case_page_shows_summary_facts_sources_and_timeline(client, region):
    case = make_case(
        title="Guardsmen of unit 3723 dismissed",
        unit="military unit 3723",
        home_region=region,
        legal_articles="332, 337",
        sources=[
            {
                "outlet": "Mediazona",
                "url": "https://example.org/article",
                "published_on": datetime.date(2022, 6, 1),
            }
        ],
    )
    CaseEvent.objects.create(
        case=case,
        date=datetime.date(2022, 5, 25),
        kind=CaseEvent.Kind.RULING,
        description="The court rejected the appeal.",
    )
    response = client.get(case.get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    for expected in [
        case.summary,
        "military unit 3723",
        "Kabardino-Balkar",
        "Mediazona",
        'href="https://example.org/article" rel="noopener noreferrer nofollow"',
        "The court rejected the appeal.",
        "332, 337",
        "Rosgvardiya: OMON",
    ]:
        assert expected in content


def test_the_page_answers_with_and_without_the_slug(client, published_case):
    assert published_case.get_absolute_url().endswith(f"/{published_case.slug}/")
    bare = client.get(reverse("tracker:case_detail", args=[published_case.pk]))
    assert bare.status_code == 200


def test_an_outdated_slug_redirects_to_the_current_one(client, published_case):
    url = reverse("tracker:case_detail_slug", args=[published_case.pk, "old-title"])
    response = client.get(url)
    assert response.status_code == 301
    assert response["Location"] == published_case.get_absolute_url()


def test_related_cases_link_only_to_published_ones(client, published_case, draft_case):
    follow_up = make_case(title="Follow-up lawsuit in Nalchik")
    published_case.related_cases.add(follow_up, draft_case)
    content = client.get(published_case.get_absolute_url()).content.decode()
    assert follow_up.get_absolute_url() in content
    assert draft_case.title not in content


def test_titles_and_summaries_are_escaped(client):
    case = make_case(title='<script>alert("t")</script>', summary='<img src=x onerror="alert(1)">')
    content = client.get(reverse("tracker:case_detail", args=[case.pk])).content.decode()
    assert "<script>alert" not in content
    assert "<img src=x" not in content
    assert "&lt;script&gt;" in content


def test_an_unknown_case_answers_404(client):
    assert client.get(reverse("tracker:case_detail", args=[999999])).status_code == 404


def test_case_constraints_refuse_inconsistent_rows(region):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        make_case(people_count=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_case(status=Case.Status.RETRACTED, retraction_reason="")
    assert Case.objects.count() == 0


def test_long_titles_give_a_slug_cut_at_a_word_boundary():
    case = make_case(
        title="Eleven Khakassia OMON officers dismissed after refusing to fight in the war"
    )
    assert case.slug == "eleven-khakassia-omon-officers-dismissed-after-refusing-to"
