"""Forged and tampered requests against every URL of the site, read from the URLconf: a POST
without a valid CSRF token, and a method the view does not take. Each is refused before
anything changes, also for a logged-in administrator who could change everything."""

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client

from moderation.models import AuditEvent
from submissions.models import Attachment, Message, Submission
from tests.conftest import log_in, make_case, make_submission, make_user
from tracker.models import Case, Source

from .conftest import site_urls

pytestmark = pytest.mark.django_db

OBJECT_ID = 7001  # every object a URL can name has this id
URLS = site_urls(OBJECT_ID)
URL_IDS = [name for name, _path in URLS]


@pytest.fixture
def world(region):
    """A submission with a source and an attachment, and a published case, all numbered
    OBJECT_ID, so that every URL names something that exists."""
    submission = make_submission(id=OBJECT_ID, home_region=region, sources=[])
    source = submission.sources.create(id=OBJECT_ID, url="https://example.org/a", outlet="A")
    attachment = Attachment(
        id=OBJECT_ID, submission=submission, kind="image", content_type="image/png", size=8
    )
    attachment.file.save("x.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=False)
    attachment.save()
    case = make_case(id=OBJECT_ID, home_region=region)
    return {"submission": submission, "source": source, "case": case}


@pytest.fixture
def administrator(db):
    user = make_user("chief", moderator=True)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def logged_in_client(user, **options):
    """A client with `user`'s verified session (logging in needs a CSRF token itself)."""
    helper = Client()
    assert log_in(helper, user).status_code == 302
    client = Client(**options)
    client.cookies = helper.cookies
    return client


def snapshot():
    """What a forged request could change."""
    return {
        "submissions": list(Submission.objects.values_list("id", "status", "claimed_by")),
        "cases": list(Case.objects.values_list("id", "status", "title_en", "summary_en")),
        "sources": Source.objects.count(),
        "messages": Message.objects.count(),
        "attachments": Attachment.objects.count(),
        "audit events": AuditEvent.objects.count(),
        "users": list(
            Case._meta.apps.get_model("auth", "User").objects.values_list(
                "id", "is_active", "password"
            )
        ),
    }


def forged_body(world):
    """What a forging page would send: a valid-looking answer for any of the views."""
    return {
        "reason": "spam",
        "note": "forged",
        "question": "forged",
        "text": "forged",
        "code": world["submission"].receipt_code,
        "confirm": "on",
        "submissions": [OBJECT_ID],
        "reachable": "true",
        "supports_report": "true",
        "independent": "true",
        "title_en": "Forged title",
        "summary_en": "Forged summary",
        "language": "ru",
        "username": "chief",
        "password": "forged password",
    }


def test_the_url_list_covers_every_part_of_the_site():
    names = set(URL_IDS)
    assert {"submissions:submit", "submissions:answer", "accounts:login"} <= names
    assert {"moderation:reject", "moderation:contact", "admin:tracker_case_change"} <= names
    assert "set_language" in names
    assert len(URLS) > 60


def refused_statuses(path):
    """403 for a forged POST; the read-only API takes no POST at all and may say 405."""
    return {403, 405} if path.startswith("/api/") else {403}


@pytest.mark.parametrize("path", [path for _name, path in URLS], ids=URL_IDS)
def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing(world, administrator, path):
    client = logged_in_client(administrator, enforce_csrf_checks=True)
    before = snapshot()

    response = client.post(path, forged_body(world))

    assert response.status_code in refused_statuses(path)
    assert snapshot() == before


@pytest.mark.parametrize("path", [path for _name, path in URLS], ids=URL_IDS)
def test_a_post_with_a_wrong_csrf_token_is_refused_and_changes_nothing(world, administrator, path):
    client = logged_in_client(administrator, enforce_csrf_checks=True)
    client.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32
    before = snapshot()

    response = client.post(path, {**forged_body(world), "csrfmiddlewaretoken": "b" * 32})

    assert response.status_code in refused_statuses(path)
    assert snapshot() == before


def test_a_post_with_the_right_csrf_token_gets_through(world, administrator):
    # The other side of the two tests above: the token is what they were missing.
    client = logged_in_client(administrator, enforce_csrf_checks=True)
    client.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32

    response = client.post(
        f"/moderation/{OBJECT_ID}/reject/",
        {"reason": "spam", "csrfmiddlewaretoken": "a" * 32},
    )

    assert response.status_code == 302
    assert Submission.objects.get().status == Submission.Status.REJECTED


# --- methods -------------------------------------------------------------------------------

POST_ONLY = {
    "submissions:answer",
    "submissions:withdraw",
    "accounts:logout",
    "moderation:bulk_reject_spam",
    "moderation:claim",
    "moderation:release",
    "moderation:verify_source",
    "moderation:contact",
    "moderation:ask",
    "moderation:reject",
    "moderation:approve",
    "moderation:decline",
    "moderation:undo_rejection",
}
OUR_APPS = ("tracker:", "submissions:", "accounts:", "moderation:")
OUR_URLS = [(name, path) for name, path in URLS if name.startswith(OUR_APPS)]


def test_every_post_only_view_is_in_the_list():
    names = {name for name, _path in OUR_URLS}
    assert names >= POST_ONLY
    # A new view: decide whether it is POST-only, then count it (the feed's stylesheet and
    # the chart downloads are read-only, require_safe).
    assert len(names) == 41


@pytest.mark.parametrize(
    "path",
    [path for name, path in OUR_URLS if name in POST_ONLY],
    ids=[name for name, _path in OUR_URLS if name in POST_ONLY],
)
def test_a_get_on_a_post_only_view_is_refused_and_changes_nothing(world, administrator, path):
    client = logged_in_client(administrator)
    before = snapshot()

    response = client.get(path, forged_body(world))

    assert response.status_code == 405
    assert snapshot() == before


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize("path", [path for _name, path in OUR_URLS], ids=[n for n, _ in OUR_URLS])
def test_put_patch_and_delete_are_refused_everywhere_and_change_nothing(
    world, administrator, path, method
):
    client = logged_in_client(administrator)
    before = snapshot()

    response = getattr(client, method)(path, "reason=spam&confirm=on")

    assert response.status_code == 405
    assert snapshot() == before
