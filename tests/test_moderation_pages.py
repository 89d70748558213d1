"""Moderation pages follow the site's rules: nothing from another origin, no script, no
inline style (the coming Content-Security-Policy forbids both), a bounded number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import log_in, make_submission, make_user
from tests.test_no_third_party_assets import external_fetches

pytestmark = pytest.mark.django_db


def assert_clean(content, url):
    assert external_fetches(content) == [], url
    assert "<script" not in content, url
    assert " style=" not in content, url


def test_moderation_pages_load_nothing_from_elsewhere_and_have_no_inline_code(
    moderator_client, new_submission, published_case
):
    new_submission.sources.update(url="https://evil.example/article")
    for url in [
        reverse("moderation:queue"),
        reverse("moderation:review", args=[new_submission.pk]),
        reverse("moderation:publish", args=[new_submission.pk]),
        reverse("moderation:merge", args=[new_submission.pk]),
        reverse("moderation:case_edit", args=[published_case.pk]),
        reverse("moderation:case_retract", args=[published_case.pk]),
    ]:
        response = moderator_client.get(url)
        assert response.status_code == 200, url
        assert_clean(response.content.decode(), url)


def test_login_and_enrolment_pages_have_no_inline_code(client):
    assert_clean(client.get(reverse("accounts:login")).content.decode(), "login")
    newcomer = make_user("newcomer", moderator=True, device=False)
    log_in(client, newcomer, code="")
    enrol = client.get(reverse("accounts:enrol")).content.decode()
    assert_clean(enrol, "enrol")
    assert "otpauth://" not in enrol.split("<svg", 1)[0]  # the secret is in the picture only…
    assert 'class="secret"' in enrol  # …and in the key to type by hand


def test_the_queue_needs_the_same_number_of_queries_for_many_submissions(moderator_client):
    make_submission()

    with CaptureQueriesContext(connection) as few:
        moderator_client.get(reverse("moderation:queue"))
    for _ in range(15):
        make_submission()
    with CaptureQueriesContext(connection) as many:
        moderator_client.get(reverse("moderation:queue"))

    assert len(many) == len(few)
