"""Every change the Django admin makes to a case goes through the moderation services:
status, publication time and retraction cannot be typed; retracting and approving are admin
actions that call the same functions as the moderation screens."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from moderation import services
from moderation.models import AuditEvent, PublicationApproval
from submissions.models import Submission
from tests.conftest import log_in, make_case, make_submission, make_user
from tracker.models import Case, CaseCorrection

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(db):
    user = make_user("administrator", moderator=True)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def admin_client(client, administrator):
    log_in(client, administrator)
    return client


def change_form_data(client, case, **changes):
    """What the admin's change form posts back when nothing is touched, plus `changes`."""
    url = reverse("admin:tracker_case_change", args=[case.pk])
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            value = ""
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif hasattr(value, "pk"):
            value = value.pk
        data[name] = value
    data["related_cases"] = []
    for prefix in ["sources", "events", "corrections"]:
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update(changes)
    return url, data


def test_an_admin_post_that_sets_a_drafts_status_to_published_changes_nothing(
    admin_client, draft_case
):
    url, data = change_form_data(
        admin_client, draft_case, status="published", published_at="2024-01-01 10:00:00"
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302
    draft_case.refresh_from_db()
    assert draft_case.status == Case.Status.DRAFT
    assert draft_case.published_at is None
    assert not Case.objects.public().filter(pk=draft_case.pk).exists()


def test_an_admin_post_cannot_type_a_retraction(admin_client, published_case):
    url, data = change_form_data(
        admin_client, published_case, status="retracted", retraction_reason="typed"
    )

    admin_client.post(url, data)

    published_case.refresh_from_db()
    assert (published_case.status, published_case.retraction_reason) == ("published", "")


def test_an_admin_edit_of_a_published_case_goes_through_the_edit_service(
    admin_client, published_case
):
    url, data = change_form_data(
        admin_client, published_case, unit="military unit 3723", correction_note_en="Unit added."
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302
    published_case.refresh_from_db()
    assert published_case.unit == "military unit 3723"
    correction = published_case.corrections.get()
    assert (correction.changes, correction.note) == ({"fields": ["unit"]}, "Unit added.")
    event = AuditEvent.objects.get(action=AuditEvent.Action.EDIT_CASE)
    assert (event.details["fields"], event.details["via"]) == (["unit"], "admin")


def test_an_admin_note_written_in_russian_is_the_russian_version(admin_client, published_case):
    url, data = change_form_data(
        admin_client,
        published_case,
        unit="в/ч 3723",
        correction_note_ru="Номер части уточнён.",
    )

    admin_client.post(url, data)

    correction = published_case.corrections.get()
    assert (correction.note_en, correction.note_ru, correction.note_uk) == (
        "",
        "Номер части уточнён.",
        "",
    )


def test_an_admin_edit_without_a_note_says_exactly_what_changed(admin_client, published_case):
    url, data = change_form_data(admin_client, published_case, location="Belgorod")

    admin_client.post(url, data)

    correction = CaseCorrection.objects.get()
    assert (correction.description(), correction.note) == (
        "Corrected: place where it happened.",
        "",
    )


def test_saving_the_admin_form_unchanged_leaves_no_correction(admin_client, published_case):
    url, data = change_form_data(admin_client, published_case)

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert not CaseCorrection.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EDIT_CASE).exists()


def test_the_admin_retract_action_asks_for_a_reason_then_retracts_through_the_service(
    admin_client, published_case
):
    url = reverse("admin:tracker_case_changelist")
    selection = {"action": "retract_cases", ACTION_CHECKBOX_NAME: [published_case.pk]}

    asked = admin_client.post(url, selection)
    published_case.refresh_from_db()
    assert asked.status_code == 200
    assert "Why the case is withdrawn" in asked.content.decode()
    assert published_case.status == Case.Status.PUBLISHED

    done = admin_client.post(url, {**selection, "apply": "1", "reason": "Source retracted."})

    assert done.status_code == 302
    published_case.refresh_from_db()
    assert published_case.status == Case.Status.RETRACTED
    assert published_case.retraction_reason == "Source retracted."
    event = AuditEvent.objects.get(action=AuditEvent.Action.RETRACT)
    assert (event.case, event.note) == (published_case, "Source retracted.")


def test_the_admin_cannot_delete_a_published_case(admin_client, published_case):
    response = admin_client.post(
        reverse("admin:tracker_case_delete", args=[published_case.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Case.objects.filter(pk=published_case.pk).exists()


def draft_awaiting_approval(region, *, requested_by):
    """A report with a verified source, published under the four-eyes rule by
    `requested_by`: (the submission, its draft case)."""
    submission = make_submission(
        home_region=region,
        sources=[{"url": "https://example.org/a", "outlet": "A", "verified": True}],
    )
    case_data = {
        "title_en": "Draft for approval",
        "summary_en": "In our words.",
        "refusal_kind": Case.RefusalKind.REFUSED_DEPLOY,
        "confidence": Case.Confidence.REPORTED,
    }
    return submission, services.publish(submission, moderator=requested_by, case_data=case_data)


def test_the_admin_approve_action_publishes_through_the_four_eyes_service(
    admin_client, moderator, region, settings
):
    settings.MODERATION_FOUR_EYES = True
    submission, draft = draft_awaiting_approval(region, requested_by=moderator)
    approval = PublicationApproval.objects.get()

    response = admin_client.post(
        reverse("admin:moderation_publicationapproval_changelist"),
        {"action": "approve_publications", ACTION_CHECKBOX_NAME: [approval.pk]},
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Case.Status.PUBLISHED
    approval.refresh_from_db()
    assert approval.approved_by.username == "administrator"
    submission.refresh_from_db()
    assert submission.status == Submission.Status.PUBLISHED
    assert AuditEvent.objects.filter(action=AuditEvent.Action.APPROVE, case=draft).exists()


def test_the_moderator_who_asked_cannot_approve_their_own_publication_in_the_admin(
    admin_client, administrator, region, settings
):
    settings.MODERATION_FOUR_EYES = True
    _submission, draft = draft_awaiting_approval(region, requested_by=administrator)

    admin_client.post(
        reverse("admin:moderation_publicationapproval_changelist"),
        {
            "action": "approve_publications",
            ACTION_CHECKBOX_NAME: [PublicationApproval.objects.get().pk],
        },
    )

    draft.refresh_from_db()
    assert draft.status == Case.Status.DRAFT


def test_a_case_without_a_kind_of_refusal_is_refused_by_the_database(region):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        make_case(refusal_kind="")

    assert not Case.objects.exists()
