import pytest
from django.urls import reverse

from moderation import services
from moderation.models import AuditEvent, AuditLogIsAppendOnly
from tests.conftest import log_in, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(moderator, new_submission):
    services.claim(new_submission, moderator=moderator)
    return AuditEvent.objects.get()


@pytest.fixture
def admin_client(client):
    administrator = make_user("administrator")
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    log_in(client, administrator)
    return client


def test_an_audit_event_cannot_be_changed_or_deleted(event):
    event.note = "rewritten history"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.update(note="rewritten")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()

    event.refresh_from_db()
    assert event.note == ""
    assert AuditEvent.objects.count() == 1


def test_the_admin_shows_the_audit_log_but_cannot_add_change_or_delete(admin_client, event):
    changelist = admin_client.get(reverse("admin:moderation_auditevent_changelist"))
    assert changelist.status_code == 200
    assert "moderator" in changelist.content.decode()

    change_url = reverse("admin:moderation_auditevent_change", args=[event.pk])
    assert admin_client.get(reverse("admin:moderation_auditevent_add")).status_code == 403
    assert admin_client.post(change_url, {"note": "rewritten"}).status_code == 403
    delete_url = reverse("admin:moderation_auditevent_delete", args=[event.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    bulk = admin_client.post(
        reverse("admin:moderation_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)

    event.refresh_from_db()
    assert event.note == ""
    assert AuditEvent.objects.count() == 1


def test_the_review_screen_shows_who_did_what(moderator_client, new_submission):
    moderator_client.post(reverse("moderation:claim", args=[new_submission.pk]))

    content = moderator_client.get(
        reverse("moderation:review", args=[new_submission.pk])
    ).content.decode()

    assert "Audit trail" in content
    assert '<td data-label="Who">moderator</td>' in content
    assert "claimed" in content


def test_an_administrators_case_edit_in_the_admin_is_audited(admin_client, published_case):
    url = reverse("admin:tracker_case_change", args=[published_case.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: value if value is not None else ""
        for name, value in form.initial.items()
        if name in form.fields and not isinstance(value, list)
    }
    data.update(
        {
            "title_en": "A corrected title",
            "event_date": published_case.event_date.isoformat(),
            "home_region": published_case.home_region_id,
            "related_cases": [],
            "outcomes": published_case.outcomes,
        }
    )
    for prefix in ["sources", "events", "corrections"]:
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(action="edit_case")
    assert event.case == published_case
    assert event.actor_name == "administrator"
    assert event.details["via"] == "admin"
    # The public page says the case was corrected, and what in general terms.
    page = admin_client.get(published_case.get_absolute_url(), follow=True).content.decode()
    assert "Corrected: title (English)." in page
