"""Small things a reader notices: unknown values say what is unknown, and no sentence
ends with two full stops."""

import html

import pytest
from django.urls import reverse

from tests.conftest import make_case, make_submission

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "force: unknown"),
        ("ru", "силовая структура: неизвестно"),
        ("uk", "силова структура: невідомо"),
    ],
)
def test_an_unknown_force_is_labelled_in_the_listing(client, region, language, expected):
    make_case(force="unknown", home_region=region)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    content = html.unescape(client.get(reverse("tracker:case_list")).content.decode())
    meta = content[content.index('<p class="case-meta">') :]
    meta = meta[: meta.index("</p>")]
    assert f"· {expected}" in " ".join(meta.split())


@pytest.mark.parametrize("language", ["en", "ru", "uk"])
def test_the_status_page_has_no_double_full_stop(client, language):
    submission = make_submission()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    response = client.post(reverse("submissions:status"), {"code": submission.receipt_code})
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert ".." not in text.replace("...", "")
    assert " г.." not in text and " р.." not in text
