import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from moderation.models import AuditEvent
from submissions.models import Attachment, SubmissionSource
from tests.conftest import make_case, make_submission

pytestmark = pytest.mark.django_db

CONTACT = "telegram: @relative_of_soldier"


def review_url(submission):
    return reverse("moderation:review", args=[submission.pk])


def test_the_review_screen_shows_everything_the_submitter_sent(moderator_client, region):
    submission = make_submission(
        home_region=region,
        location="Belgorod",
        sources=[
            {"url": "https://example.org/first", "outlet": "First outlet"},
            {"url": "https://example.net/second", "outlet": "Second outlet"},
        ],
    )

    content = moderator_client.get(review_url(submission)).content.decode()

    assert "military unit 3723 refused to go back" in content
    assert "https://example.org/first" in content
    assert "https://example.net/second" in content
    assert "Belgorod" in content
    assert region.name in content
    assert content.count(f'action="/moderation/{submission.pk}/sources/') == 2


def test_a_moderator_records_a_source_check(moderator_client, moderator, new_submission):
    source = new_submission.sources.get()

    moderator_client.post(
        reverse("moderation:verify_source", args=[new_submission.pk, source.pk]),
        {
            f"source-{source.pk}-reachable": "true",
            f"source-{source.pk}-supports_report": "true",
            f"source-{source.pk}-independent": "false",
            f"source-{source.pk}-verification_note": "Same text as the TV report.",
        },
    )

    source.refresh_from_db()
    assert source.is_verified
    assert source.independent is False
    assert source.verified_by == moderator
    assert source.verification_note == "Same text as the TV report."
    event = AuditEvent.objects.get(action="verify_source")
    assert event.submission == new_submission
    assert event.details["source"] == source.pk


def test_a_source_that_does_not_say_what_the_report_says_is_not_verified(
    moderator_client, new_submission
):
    source = new_submission.sources.get()

    moderator_client.post(
        reverse("moderation:verify_source", args=[new_submission.pk, source.pk]),
        {f"source-{source.pk}-reachable": "true", f"source-{source.pk}-supports_report": "false"},
    )

    source.refresh_from_db()
    assert source.verified_at is not None
    assert not source.is_verified


@pytest.fixture
def attachments(new_submission):
    image = Attachment(submission=new_submission, kind="image", content_type="image/png", size=12)
    image.file.save("a.png", ContentFile(b"\x89PNG\r\n\x1a\nimage"), save=False)
    image.save()
    pdf = Attachment(submission=new_submission, kind="pdf", content_type="application/pdf", size=12)
    pdf.file.save("b.pdf", ContentFile(b"%PDF-1.4 document"), save=False)
    pdf.save()
    yield image, pdf
    image.file.delete(save=False)
    pdf.file.delete(save=False)


def test_images_are_shown_inline_and_pdfs_downloaded_with_safe_headers(
    moderator_client, new_submission, attachments
):
    image, pdf = attachments

    shown = moderator_client.get(
        reverse("moderation:attachment", args=[new_submission.pk, image.pk])
    )
    downloaded = moderator_client.get(
        reverse("moderation:attachment", args=[new_submission.pk, pdf.pk])
    )

    assert shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"].startswith("inline")
    assert b"".join(shown.streaming_content).endswith(b"image")
    assert downloaded["Content-Type"] == "application/pdf"
    assert downloaded["Content-Disposition"].startswith("attachment")
    for response in (shown, downloaded):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
    review = moderator_client.get(review_url(new_submission)).content.decode()
    assert f'<img src="/moderation/{new_submission.pk}/attachments/{image.pk}/"' in review


def test_an_attachment_is_only_served_under_its_own_submission(
    moderator_client, new_submission, attachments
):
    image, _pdf = attachments
    other = make_submission()

    response = moderator_client.get(reverse("moderation:attachment", args=[other.pk, image.pk]))

    assert response.status_code == 404


def test_showing_the_contact_takes_a_post_and_is_recorded(moderator_client, moderator, region):
    submission = make_submission(home_region=region, contact=CONTACT)
    url = reverse("moderation:contact", args=[submission.pk])
    review = moderator_client.get(review_url(submission)).content.decode()
    assert CONTACT not in review

    assert moderator_client.get(url).status_code == 405
    response = moderator_client.post(url)

    assert CONTACT in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="view_contact")
    assert (event.actor, event.submission) == (moderator, submission)
    assert CONTACT not in repr(AuditEvent.objects.values())


def test_possible_duplicates_share_unit_or_region_near_the_date(
    moderator_client, region, other_region
):
    submission = make_submission(
        home_region=region, unit="в/ч 3723", event_date=datetime.date(2023, 5, 10)
    )
    same_unit = make_case(
        title="Same unit case",
        unit="military unit 3723",
        home_region=other_region,
        event_date=datetime.date(2023, 5, 1),
    )
    same_region = make_case(
        title="Same region case", home_region=region, event_date=datetime.date(2023, 6, 1)
    )
    long_before = make_case(
        title="Long before case", unit="military unit 3723", event_date=datetime.date(2022, 1, 1)
    )
    elsewhere = make_case(
        title="Elsewhere case", home_region=other_region, event_date=datetime.date(2023, 5, 10)
    )
    draft = make_case(title="Draft case", status="draft", unit="military unit 3723")
    twin = make_submission(home_region=region, unit="", event_date=datetime.date(2023, 5, 12))

    content = moderator_client.get(review_url(submission)).content.decode()

    assert same_unit.title in content
    assert same_region.title in content
    assert long_before.title not in content
    assert elsewhere.title not in content
    assert draft.title not in content
    assert f'href="/moderation/{twin.pk}/"' in content
    assert f"/moderation/{submission.pk}/merge/?case={same_unit.pk}" in content


@pytest.mark.postgres
def test_on_postgresql_similar_text_finds_a_duplicate_without_a_shared_unit(
    moderator_client, region, other_region
):
    text = "Eleven contract soldiers of the tank battalion refused to go back to Ukraine."
    submission = make_submission(
        home_region=region, unit="", what_happened=text, event_date=datetime.date(2023, 5, 10)
    )
    similar = make_case(
        title="Similar text case",
        summary="Eleven contract soldiers of a tank battalion refused to go back to Ukraine.",
        home_region=other_region,
        event_date=datetime.date(2023, 5, 20),
    )
    unrelated = make_case(
        title="Unrelated case",
        summary="A naval officer sued to end his contract after a year of waiting.",
        home_region=other_region,
        event_date=datetime.date(2023, 5, 20),
    )

    content = moderator_client.get(review_url(submission)).content.decode()

    assert similar.title in content
    assert unrelated.title not in content


def test_sources_of_a_decided_submission_can_no_longer_be_changed(moderator_client):
    decided = make_submission(status="rejected", rejection_reason="spam")
    source = decided.sources.get()

    moderator_client.post(
        reverse("moderation:verify_source", args=[decided.pk, source.pk]),
        {f"source-{source.pk}-reachable": "true"},
    )

    assert SubmissionSource.objects.get(pk=source.pk).verified_at is None
