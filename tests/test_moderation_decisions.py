"""Each decision's effect on the submission, the case and the public listing."""

import html
import re

import pytest
from django.test import override_settings
from django.urls import reverse

from moderation.models import AuditEvent
from submissions.models import Message, Submission
from tests.conftest import log_in, make_case, make_submission
from tests.helpers import listed_titles
from tracker.models import Case, CaseCorrection

pytestmark = pytest.mark.django_db

Status = Submission.Status
TWO_INDEPENDENT = [
    {"url": "https://example.org/a", "outlet": "Outlet A", "verified": True},
    {"url": "https://example.net/b", "outlet": "Outlet B", "verified": True},
]


def case_form(region, **overrides):
    data = {
        "original_language": "en",
        "title_en": "Eleven soldiers of unit 3723 refused to return",
        "summary_en": "Eleven contract soldiers refused to return to the front.",
        "event_date": "2023-05-10",
        "event_date_precision": "day",
        "people_count": "11",
        "people_qualifier": "exact",
        "service_status": "contract",
        "force": "army_ground",
        "unit": "military unit 3723",
        "home_region": str(region.pk),
        "location_country": "ua",
        "refusal_kind": "refused_deploy",
        "confidence": "confirmed",
        "outcomes": ["dismissed"],
    }
    data.update(overrides)
    return data


def publish(client, submission, data):
    return client.post(reverse("moderation:publish", args=[submission.pk]), data, follow=True)


def public_titles(client):
    return listed_titles(client.get(reverse("tracker:case_list")))


# --- publish ---------------------------------------------------------------------------


def test_the_publish_form_is_prefilled_from_the_submission(moderator_client, new_submission):
    content = moderator_client.get(
        reverse("moderation:publish", args=[new_submission.pk])
    ).content.decode()

    assert 'value="military unit 3723"' in content
    assert "refused to go back" in content


def test_publishing_creates_a_public_case_with_the_verified_sources(
    moderator_client, moderator, region
):
    unverified = {"url": "https://rumour.example/c", "outlet": "Rumour mill"}
    submission = make_submission(home_region=region, sources=[*TWO_INDEPENDENT, unverified])

    response = publish(moderator_client, submission, case_form(region))

    assert "Published as case" in response.content.decode()
    submission.refresh_from_db()
    case = submission.case
    assert submission.status == Status.PUBLISHED
    assert submission.decided_at is not None
    assert case.is_public
    assert case.confidence == Case.Confidence.CONFIRMED
    assert case.outcomes == ["dismissed"]
    assert sorted(case.sources.values_list("outlet", flat=True)) == ["Outlet A", "Outlet B"]
    assert "Eleven soldiers of unit 3723 refused to return" in public_titles(moderator_client)
    event = AuditEvent.objects.get(action="publish")
    assert (event.actor, event.submission, event.case) == (moderator, submission, case)


def test_publishing_needs_at_least_one_verified_source(moderator_client, new_submission, region):
    response = publish(
        moderator_client, new_submission, case_form(region, confidence="unconfirmed")
    )

    assert "Verify at least one source before publishing." in response.content.decode()
    assert "Eleven soldiers of unit 3723 refused to return" in response.content.decode()  # kept
    new_submission.refresh_from_db()
    assert new_submission.status == Status.NEW
    assert not Case.objects.exists()


def test_a_number_of_people_needs_a_known_qualifier_to_publish(moderator_client, region):
    submission = make_submission(home_region=region, sources=TWO_INDEPENDENT)

    response = publish(moderator_client, submission, case_form(region, people_qualifier="unknown"))

    assert "Say how exact the number of people is" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "sources, expected",
    [
        (TWO_INDEPENDENT, "confirmed"),
        (TWO_INDEPENDENT[:1], "reported"),
        ([TWO_INDEPENDENT[0], {**TWO_INDEPENDENT[1], "independent": False}], "reported"),
        ([TWO_INDEPENDENT[0], {**TWO_INDEPENDENT[1], "supports_report": False}], "reported"),
    ],
    ids=["two independent", "one", "one repeats the other", "one does not support"],
)
def test_confidence_follows_from_the_verified_sources(moderator_client, region, sources, expected):
    submission = make_submission(home_region=region, sources=sources)

    publish(moderator_client, submission, case_form(region, confidence=expected))

    submission.refresh_from_db()
    assert submission.case.confidence == expected


def test_confidence_cannot_be_raised_above_what_the_sources_support(moderator_client, region):
    submission = make_submission(home_region=region, sources=TWO_INDEPENDENT[:1])

    response = publish(moderator_client, submission, case_form(region, confidence="confirmed"))

    assert "The verified sources support at most “reported”." in response.content.decode()
    assert not Case.objects.exists()


def test_confidence_is_lowered_only_with_a_reason(moderator_client, region):
    submission = make_submission(home_region=region, sources=TWO_INDEPENDENT)

    refused = publish(moderator_client, submission, case_form(region, confidence="reported"))
    assert "Say why the confidence is lower" in refused.content.decode()
    assert not Case.objects.exists()

    reason = "Both outlets quote the same anonymous channel."
    publish(
        moderator_client,
        submission,
        case_form(region, confidence="reported", confidence_note=reason),
    )

    submission.refresh_from_db()
    assert submission.case.confidence == "reported"
    assert AuditEvent.objects.get(action="publish").note == reason


@override_settings(MODERATION_FOUR_EYES=True)
def test_with_four_eyes_a_second_moderator_must_approve_the_publication(
    client, moderator, other_moderator, region
):
    submission = make_submission(home_region=region, sources=TWO_INDEPENDENT)
    log_in(client, moderator)
    publish(client, submission, case_form(region))
    submission.refresh_from_db()
    case = submission.case
    assert case.status == Case.Status.DRAFT
    assert submission.status == Status.IN_REVIEW
    assert public_titles(client) == []
    assert client.get(case.get_absolute_url()).status_code == 404

    own = client.post(reverse("moderation:approve", args=[submission.pk]), follow=True)
    assert "Another moderator has to approve" in own.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT

    client.post(reverse("accounts:logout"))
    log_in(client, other_moderator)
    client.post(reverse("moderation:approve", args=[submission.pk]))

    case.refresh_from_db()
    submission.refresh_from_db()
    assert case.is_public
    assert submission.status == Status.PUBLISHED
    assert case.title in public_titles(client)
    assert case.publication_approval.approved_by == other_moderator


# --- merge -----------------------------------------------------------------------------


def merge(client, submission, case, HTTP_ACCEPT_LANGUAGE="en", **extra):
    """As a moderator merges: the form, then the confirmation page's own form."""
    data = {"case": case.pk, "correction_note": "Added a second report.", **extra}
    url = reverse("moderation:merge", args=[submission.pk])
    confirmation = client.post(url, data, HTTP_ACCEPT_LANGUAGE=HTTP_ACCEPT_LANGUAGE)
    if 'name="confirm"' not in confirmation.content.decode():
        return confirmation  # the form came back with an error
    return client.post(url, hidden_inputs(confirmation), follow=True)


def hidden_inputs(response):
    """What a page's hidden inputs post back, as the browser would send it."""
    data = {}
    for name, value in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)">', response.content.decode()
    ):
        data.setdefault(name, []).append(html.unescape(value))
    return data


def test_merging_keeps_all_sources_and_adds_the_new_facts(moderator_client, region):
    case = make_case(
        home_region=region,
        confidence="reported",
        sources=[{"outlet": "Mediazona", "url": "https://zona.media/1"}, {"outlet": "Vot Tak"}],
    )
    submission = make_submission(
        home_region=region,
        sources=[
            *TWO_INDEPENDENT,
            {"url": "https://zona.media/1", "outlet": "Mediazona", "verified": True},
            {"url": "https://rumour.example/c", "outlet": "Rumour mill"},
        ],
    )

    merge(
        moderator_client,
        submission,
        case,
        outcomes=["criminal_case"],
        event_date="2023-07-01",
        event_date_precision="day",
        event_kind="criminal_case",
        event_description_en="A criminal case was opened under article 332.",
    )

    case.refresh_from_db()
    submission.refresh_from_db()
    outlets = sorted(case.sources.values_list("outlet", flat=True))
    assert outlets == ["Mediazona", "Outlet A", "Outlet B", "Vot Tak"]
    assert set(case.outcomes) == {"dismissed", "criminal_case"}
    assert case.events.get().description.startswith("A criminal case")
    assert case.confidence == Case.Confidence.CONFIRMED
    assert submission.status == Status.PUBLISHED
    assert submission.case == case
    page = moderator_client.get(case.get_absolute_url()).content.decode()
    assert "Added a second report." in page
    assert AuditEvent.objects.get(action="merge").details["sources_added"] == 2


def test_merging_updates_the_people_count_when_asked(moderator_client, region):
    case = make_case(home_region=region, people_count=12)
    submission = make_submission(home_region=region)

    merge(moderator_client, submission, case, people_count="20", people_qualifier="at_least")

    case.refresh_from_db()
    assert case.people_display() == "at least 20"


def test_merging_into_an_unpublished_case_is_refused(moderator_client, retracted_case, region):
    submission = make_submission(home_region=region)

    response = merge(moderator_client, submission, retracted_case)

    assert "There is no published case with this number." in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == Status.NEW


# --- ask -------------------------------------------------------------------------------


def test_asking_the_submitter_waits_for_their_answer(moderator_client, moderator, new_submission):
    question = "Do you have the dismissal order?"

    moderator_client.post(
        reverse("moderation:ask", args=[new_submission.pk]), {"question": question}
    )

    new_submission.refresh_from_db()
    assert new_submission.status == Status.NEEDS_INFO
    message = Message.objects.get(submission=new_submission)
    assert (message.author_kind, message.text, message.moderator) == (
        "moderator",
        question,
        moderator,
    )
    assert AuditEvent.objects.get(action="ask").note == question


def test_an_answered_submission_is_back_in_the_queue_and_can_be_claimed(
    moderator_client, moderator, new_submission
):
    moderator_client.post(reverse("moderation:ask", args=[new_submission.pk]), {"question": "?"})
    # What the public status page does when the submitter answers:
    Message.objects.create(submission=new_submission, author_kind="submitter", text="Yes, I do.")
    Submission.objects.filter(pk=new_submission.pk).update(status=Status.ANSWERED)

    queue = moderator_client.get("/moderation/", {"state": "answered"}).content.decode()
    moderator_client.post(reverse("moderation:claim", args=[new_submission.pk]))

    assert f'href="/moderation/{new_submission.pk}/"' in queue
    new_submission.refresh_from_db()
    assert new_submission.status == Status.IN_REVIEW
    review = moderator_client.get(reverse("moderation:review", args=[new_submission.pk]))
    assert "Yes, I do." in review.content.decode()


# --- reject ----------------------------------------------------------------------------


def test_rejecting_records_the_reason_and_publishes_nothing(moderator_client, new_submission):
    moderator_client.post(
        reverse("moderation:reject", args=[new_submission.pk]),
        {"reason": "out_of_scope", "note": "Happened in 2014."},
    )

    new_submission.refresh_from_db()
    assert new_submission.status == Status.REJECTED
    assert new_submission.rejection_reason == "out_of_scope"
    assert new_submission.decision_note == "Happened in 2014."
    assert new_submission.case is None
    assert not Case.objects.exists()
    assert AuditEvent.objects.get(action="reject").details == {
        "reason": "out_of_scope",
        "previous_status": "new",  # what undoing the rejection restores
    }


def test_a_rejection_needs_a_known_reason(moderator_client, new_submission):
    response = moderator_client.post(
        reverse("moderation:reject", args=[new_submission.pk]), {"reason": "boring"}
    )

    assert response.status_code == 400
    new_submission.refresh_from_db()
    assert new_submission.status == Status.NEW


def test_a_decided_submission_cannot_be_decided_again(moderator_client, new_submission):
    url = reverse("moderation:reject", args=[new_submission.pk])
    moderator_client.post(url, {"reason": "spam"})

    second = moderator_client.post(url, {"reason": "duplicate"}, follow=True)

    assert "is now “rejected”; nothing was changed." in second.content.decode()
    new_submission.refresh_from_db()
    assert new_submission.rejection_reason == "spam"
    assert AuditEvent.objects.filter(action="reject").count() == 1


# --- retract and edit ------------------------------------------------------------------


def test_retracting_takes_the_case_off_the_listing_and_its_url_says_why(
    moderator_client, published_case
):
    reason = "The outlet withdrew its report."

    moderator_client.post(
        reverse("moderation:case_retract", args=[published_case.pk]), {"reason": reason}
    )

    published_case.refresh_from_db()
    assert published_case.status == Case.Status.RETRACTED
    assert published_case.retraction_reason == reason
    assert published_case.title not in public_titles(moderator_client)
    page = moderator_client.get(published_case.get_absolute_url())
    assert page.status_code == 410
    assert reason in page.content.decode()
    assert AuditEvent.objects.get(action="retract").case == published_case


def test_a_retracted_case_cannot_be_retracted_again(moderator_client, retracted_case):
    response = moderator_client.post(
        reverse("moderation:case_retract", args=[retracted_case.pk]), {"reason": "again"}
    )

    assert "is not published; nothing was changed." in response.content.decode()
    retracted_case.refresh_from_db()
    assert retracted_case.retraction_reason == "The source withdrew its report."


def edit_form(case, **overrides):
    data = {
        field: getattr(case, field) if getattr(case, field) is not None else ""
        for field in [
            "title_en",
            "summary_en",
            "event_date_precision",
            "people_qualifier",
            "named_people",
            "service_status",
            "force",
            "unit",
            "location_country",
            "location",
            "refusal_kind",
            "legal_articles",
            "confidence",
            "people_count",
        ]
    }
    data["event_date"] = case.event_date.isoformat()
    data["home_region"] = case.home_region_id or ""
    data["outcomes"] = case.outcomes
    data.update(overrides)
    return data


def test_editing_a_published_case_leaves_a_public_correction(moderator_client, published_case):
    url = reverse("moderation:case_edit", args=[published_case.pk])
    note = "Corrected the unit number."

    moderator_client.post(
        url, edit_form(published_case, unit="military unit 3724", correction_note_en=note)
    )

    published_case.refresh_from_db()
    assert published_case.unit == "military unit 3724"
    correction = CaseCorrection.objects.get(case=published_case)
    assert (correction.changes, correction.note) == ({"fields": ["unit"]}, note)
    page = moderator_client.get(published_case.get_absolute_url()).content.decode()
    assert "Corrected: unit." in page and note in page
    event = AuditEvent.objects.get(action="edit_case")
    assert event.details["fields"] == ["unit"]
    assert event.details["changes"] == {"unit": ["", "military unit 3724"]}


def test_an_edit_without_a_note_still_says_what_changed(moderator_client, published_case):
    url = reverse("moderation:case_edit", args=[published_case.pk])

    moderator_client.post(url, edit_form(published_case, unit="military unit 3724"))

    published_case.refresh_from_db()
    assert published_case.unit == "military unit 3724"
    correction = CaseCorrection.objects.get()
    assert (correction.description(), correction.note) == ("Corrected: unit.", "")


@override_settings(MODERATION_FOUR_EYES=True)
def test_with_four_eyes_the_second_moderator_can_send_the_draft_back(
    client, moderator, other_moderator, region
):
    submission = make_submission(home_region=region, sources=TWO_INDEPENDENT)
    log_in(client, moderator)
    publish(client, submission, case_form(region))
    submission.refresh_from_db()
    draft = submission.case
    client.post(reverse("accounts:logout"))
    log_in(client, other_moderator)

    empty = client.post(reverse("moderation:decline", args=[submission.pk]), {"note": ""})
    assert Case.objects.filter(pk=draft.pk).exists(), empty

    response = client.post(
        reverse("moderation:decline", args=[submission.pk]),
        {"note": "The summary names a private person."},
        follow=True,
    )

    assert "The draft was sent back" in response.content.decode()
    assert not Case.objects.filter(pk=draft.pk).exists()
    submission.refresh_from_db()
    assert submission.status == Status.IN_REVIEW
    assert submission.claimed_by == moderator
    assert submission.case is None
    event = AuditEvent.objects.get(action=AuditEvent.Action.DECLINE)
    assert event.note == "The summary names a private person."
    assert event.actor == other_moderator
    # Sent back once; a second send-back finds nothing waiting and changes nothing.
    again = client.post(
        reverse("moderation:decline", args=[submission.pk]), {"note": "again"}, follow=True
    )
    assert "nothing was changed" in again.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DECLINE).count() == 1


def test_the_reject_form_preselects_no_reason(moderator_client, new_submission):
    moderator_client.post(reverse("moderation:claim", args=[new_submission.pk]))
    page = moderator_client.get(reverse("moderation:review", args=[new_submission.pk]))
    assert '<option value="" selected>choose a reason</option>' in page.content.decode()
    moderator_client.post(reverse("moderation:reject", args=[new_submission.pk]), {"reason": ""})
    new_submission.refresh_from_db()
    assert new_submission.status == Submission.Status.IN_REVIEW


def test_a_merge_adds_to_the_text_in_every_language_the_case_is_written_in(
    moderator_client, region
):
    case = make_case(
        home_region=region,
        summary="Soldiers refused.",
        summary_ru="Военные отказались.",
        title_ru="Отказ",
    )
    submission = make_submission(home_region=region)

    # In English only: the Russian readers would not see it, so the form asks for it ...
    refused = merge(
        moderator_client,
        submission,
        case,
        summary_addition_en="Two were later dismissed.",
        summary_addition_uk="Двох згодом звільнили.",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    errors = html.unescape(refused.content.decode())
    assert f"Случай №{case.pk} написан и на этом языке (русский)" in errors
    # Nor may it add to a version the case does not have; what was typed is kept.
    assert f"У случая №{case.pk} ещё нет версии на этом языке (украинский)" in errors
    assert "Двох згодом звільнили." in errors
    case.refresh_from_db()
    assert case.summary_en == "Soldiers refused."

    # ... and, written in both, adds each to its own version; the timeline event too.
    merge(
        moderator_client,
        submission,
        case,
        summary_addition_en="Two were later dismissed.",
        summary_addition_ru="Двоих позже уволили.",
        event_date="2023-07-01",
        event_kind="dismissal",
        event_description_en="Two were dismissed.",
        event_description_ru="Двоих уволили.",
    )

    case.refresh_from_db()
    assert case.summary_en == "Soldiers refused.\n\nTwo were later dismissed."
    assert case.summary_ru == "Военные отказались.\n\nДвоих позже уволили."
    assert case.summary_uk == ""
    event = case.events.get()
    assert (event.description_en, event.description_ru) == ("Two were dismissed.", "Двоих уволили.")
    russian = moderator_client.get(case.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ru")
    assert "Двоих позже уволили." in russian.content.decode()
