"""No rendered page carries inline code, so the strict CSP never breaks a page."""

import datetime

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from tests.conftest import make_case
from tracker.models import Case, CaseEvent

from .conftest import inline_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_case(region, published_case):
    case = make_case(
        title="Unit 3723 dismissed",
        home_region=region,
        unit="military unit 3723",
        named_people="Ivan Ivanov",
        legal_articles="337",
        sources=[
            {"outlet": "Mediazona", "url": "https://zona.media/a", "archive_url": "https://a.b/c"}
        ],
    )
    CaseEvent.objects.create(
        case=case,
        date=datetime.date(2022, 5, 25),
        kind=CaseEvent.Kind.RULING,
        description="The court rejected the appeal.",
    )
    case.related_cases.add(published_case)
    return case


def test_the_checker_finds_each_kind_of_inline_code():
    page = (
        '<script>alert(1)</script><style>p{}</style><p style="x"><a onclick="x">'
        '<a href="javascript:alert(1)">'
    )
    assert len(inline_code(page)) == 5
    assert inline_code('<script src="/static/a.js"></script><p class="style">') == []


def test_the_home_page_has_no_inline_code(client, full_case):
    assert inline_code(client.get(reverse("tracker:home")).content.decode()) == []


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?q=unit&force=army&kind=refused_deploy&date_from=2022-01-01&sort=-people",
        "?per_page=1",
        "?per_page=1&page=2",
        "?date_from=not-a-date&people=-5&region=XX",
    ],
)
def test_the_listing_has_no_inline_code(client, full_case, query):
    response = client.get(reverse("tracker:case_list") + query)
    assert response.status_code == 200
    assert inline_code(response.content.decode()) == []


def test_the_case_page_has_no_inline_code(client, full_case):
    response = client.get(full_case.get_absolute_url())
    assert response.status_code == 200
    assert inline_code(response.content.decode()) == []


def test_the_withdrawal_page_has_no_inline_code(client, retracted_case):
    response = client.get(retracted_case.get_absolute_url())
    assert response.status_code == 410
    assert inline_code(response.content.decode()) == []


def test_the_404_page_has_no_inline_code(client):
    assert inline_code(client.get("/cases/999999/").content.decode()) == []


def test_the_503_page_has_no_inline_code(client):
    def refuse(execute, sql, params, many, context):
        raise OperationalError("down")

    with connection.execute_wrapper(refuse):
        response = client.get(reverse("tracker:home"))
    assert response.status_code == 503
    assert inline_code(response.content.decode()) == []


def test_the_500_and_400_pages_have_no_inline_code(quiet_client, crashing_site):
    assert inline_code(quiet_client.get("/test-crash/").content.decode()) == []
    many = "&".join(f"x{i}=1" for i in range(1001))
    assert inline_code(quiet_client.get(f"/cases/?{many}").content.decode()) == []


def test_a_draft_is_a_404_without_inline_code(client, draft_case):
    response = client.get(reverse("tracker:case_detail", args=[draft_case.pk]))
    assert response.status_code == 404
    assert inline_code(response.content.decode()) == []
    assert Case.objects.filter(pk=draft_case.pk).exists()
