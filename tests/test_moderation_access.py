"""Every URL under /moderation/ refuses anonymous users and users without the permission.

The URLs are read from the URLconf, so a view added later is covered without editing this.
"""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import get_resolver, reverse

from submissions.models import Attachment
from tests.conftest import log_in, make_submission, make_user

pytestmark = pytest.mark.django_db

CONTACT = "signal: +7 900 000-00-00"


def moderation_urls():
    _prefix, resolver = get_resolver().namespace_dict["moderation"]
    urls = []
    for pattern in resolver.url_patterns:
        kwargs = dict.fromkeys(pattern.pattern.converters, 1)
        urls.append(reverse(f"moderation:{pattern.name}", kwargs=kwargs))
    return urls


URLS = moderation_urls()


def test_the_url_list_is_read_from_the_urlconf():
    assert "/moderation/" in URLS
    assert "/moderation/1/publish/" in URLS
    assert len(URLS) >= 14


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_users_are_sent_to_the_login_page(client, url, method):
    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_users_without_the_moderator_permission_are_refused(
    client, user_without_permission, url, method
):
    assert log_in(client, user_without_permission).status_code == 302  # fully verified

    response = getattr(client, method)(url)

    assert response.status_code == 403


@pytest.fixture
def sensitive_submission(region):
    submission = make_submission(home_region=region, contact=CONTACT)
    attachment = Attachment(submission=submission, kind="image", content_type="image/png", size=8)
    attachment.file.save("photo.png", ContentFile(b"\x89PNG\r\n\x1a\nsecret"), save=False)
    attachment.save()
    yield submission, attachment
    attachment.file.delete(save=False)


def test_attachments_and_contact_are_never_served_to_non_moderators(
    client, user_without_permission, sensitive_submission
):
    submission, attachment = sensitive_submission
    attachment_url = reverse("moderation:attachment", args=[submission.pk, attachment.pk])
    contact_url = reverse("moderation:contact", args=[submission.pk])

    for visitor in ["anonymous", "logged in without permission"]:
        if visitor != "anonymous":
            log_in(client, user_without_permission)
        for response in [client.get(attachment_url), client.post(contact_url)]:
            assert response.status_code in (302, 403), visitor
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert b"secret" not in body
            assert CONTACT.encode() not in body


def test_a_moderator_without_the_contact_permission_cannot_see_the_contact(
    client, sensitive_submission
):
    submission, _attachment = sensitive_submission
    reviewer = make_user("reviewer")  # may review, but is not in the Moderators group
    reviewer.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="moderation", codename="moderate")
    )
    log_in(client, reviewer)

    response = client.post(reverse("moderation:contact", args=[submission.pk]))
    review = client.get(reverse("moderation:review", args=[submission.pk]))

    assert response.status_code == 403
    assert review.status_code == 200
    assert CONTACT not in review.content.decode()
    assert "Show contact" not in review.content.decode()


def test_the_moderators_group_holds_the_queue_and_contact_permissions():
    moderator = make_user("someone", moderator=True)

    assert moderator.has_perm("moderation.moderate")
    assert moderator.has_perm("moderation.view_contact")
