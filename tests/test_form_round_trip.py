"""Every form round-trips unchanged in every interface language: a moderator who opens a
form and saves it without touching anything changes nothing. In Russian and Ukrainian
dates are written 28.02.2022; a date field that the browser cannot read shows empty, and
saving would erase the date. These tests read each form from its HTML as a browser would."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from moderation.models import AuditEvent
from submissions.models import Submission
from tests.conftest import log_in, make_case, make_submission, make_user
from tests.form_parsing import as_post_data, form_fields, form_index_with
from tracker.models import CASE_FACTS, Case, CaseCorrection

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.fixture(params=LANGUAGES)
def language(request, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = request.param
    return request.param


@pytest.fixture
def full_case(region):
    """A case with every kind of fact filled in: dates, numbers, choices, a region."""
    return make_case(
        home_region=region,
        event_date=datetime.date(2022, 2, 28),
        event_date_precision="day",
        first_reported_on=datetime.date(2022, 3, 5),
        people_count=1200,
        people_qualifier="about",
        named_people="Ivan Petrov",
        unit="military unit 3723",
        location="Belgorod",
        legal_articles="332, 337",
        outcomes=["dismissed", "court_pending"],
        event_date_not_before=datetime.date(2022, 2, 24),
        event_date_not_after=datetime.date(2022, 3, 5),
        other_service_statuses=["conscript", "mobilised"],
        other_forces=["rosgvardia_omon"],
        conflicting_accounts="One outlet says 1,200; another says 1,000.",
        # Every language version, so that the three text columns round-trip too.
        title_ru="Гвардейцы отказались пересечь границу",
        title_uk="Гвардійці відмовилися перетнути кордон",
        summary_ru="Группа гвардейцев отказалась участвовать в операции.\n\nВторой абзац.",
        summary_uk="Група гвардійців відмовилася брати участь в операції.",
        name_variants="Petrov; Петров",
    )


def snapshot(case):
    case = Case.objects.get(pk=case.pk)
    facts = {field: getattr(case, field) for field in CASE_FACTS if field != "home_region"}
    return {
        **facts,
        "home_region": case.home_region_id,
        "outcomes": sorted(case.outcomes),
        "status": case.status,
        "version": case.version,
        "sources": case.sources.count(),
        "corrections": CaseCorrection.objects.filter(case=case).count(),
    }


def without_token(fields):
    return sorted((name, value) for name, value in fields if name != "csrfmiddlewaretoken")


def post_back(client, url, field, **extra):
    """GET the page, read the form that has `field`, POST it back unchanged."""
    page = client.get(url)
    assert page.status_code == 200, page
    content = page.content.decode()
    fields = form_fields(content, form_index_with(content, field))
    return fields, client.post(url, {**as_post_data(fields), **extra})


@pytest.fixture
def logged_in(client, moderator, language):
    log_in(client, moderator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_the_case_edit_form_round_trips_unchanged(logged_in, full_case, language):
    before = snapshot(full_case)
    url = reverse("moderation:case_edit", args=[full_case.pk])

    fields, response = post_back(logged_in, url, "title_ru")

    assert ("event_date", "2022-02-28") in fields
    assert ("first_reported_on", "2022-03-05") in fields
    assert ("event_date_not_before", "2022-02-24") in fields
    assert ("other_service_statuses", "mobilised") in fields
    assert response.status_code == 302
    assert snapshot(full_case) == before
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EDIT_CASE).exists()


def test_the_publish_form_round_trips_what_the_report_said(logged_in, moderator, region):
    submission = make_submission(
        home_region=region,
        event_date=datetime.date(2022, 2, 28),
        event_date_precision="day",
        people_count=12,
        people_qualifier="exact",
        sources=[{"url": "https://example.org/a", "outlet": "A", "verified": True}],
    )
    url = reverse("moderation:publish", args=[submission.pk])

    fields, response = post_back(logged_in, url, "summary_uk")

    # Title and summary are the moderator's to write: unchanged, nothing is published, and
    # everything the form showed comes back as it was.
    assert ("event_date", "2022-02-28") in fields and ("people_count", "12") in fields
    assert response.status_code == 200
    content = response.content.decode()
    again = form_fields(content, form_index_with(content, "summary_uk"))
    assert without_token(again) == without_token(fields)
    assert not Case.objects.exists()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.NEW


def test_the_merge_form_round_trips_to_a_confirmation_that_changes_nothing(
    logged_in, full_case, region
):
    submission = make_submission(home_region=region)
    before = snapshot(full_case)
    url = reverse("moderation:merge", args=[submission.pk]) + f"?case={full_case.pk}"

    _fields, response = post_back(logged_in, url, "correction_note")

    assert response.status_code == 200 and 'name="confirm"' in response.content.decode()
    assert snapshot(full_case) == before


def test_the_retract_form_round_trips_without_withdrawing(logged_in, full_case):
    before = snapshot(full_case)

    _fields, response = post_back(
        logged_in, reverse("moderation:case_retract", args=[full_case.pk]), "reason"
    )

    assert response.status_code == 200
    assert snapshot(full_case) == before


def test_a_source_verification_round_trips_its_answers(logged_in, moderator, region):
    submission = make_submission(
        home_region=region,
        sources=[{"url": "https://example.org/a", "outlet": "A", "verified": True}],
    )
    logged_in.post(reverse("moderation:claim", args=[submission.pk]))
    source = submission.sources.get()
    url = reverse("moderation:review", args=[submission.pk])
    content = logged_in.get(url).content.decode()
    fields = form_fields(content, form_index_with(content, f"source-{source.pk}-reachable"))

    logged_in.post(
        reverse("moderation:verify_source", args=[submission.pk, source.pk]), as_post_data(fields)
    )

    source.refresh_from_db()
    assert (source.reachable, source.supports_report, source.independent) == (True, True, True)


def test_the_admin_case_form_round_trips_unchanged(client, full_case, language):
    administrator = make_user("administrator", moderator=True)
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    log_in(client, administrator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    before = snapshot(full_case)

    _fields, response = post_back(
        client, reverse("admin:tracker_case_change", args=[full_case.pk]), "title_uk", _save="Save"
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert snapshot(full_case) == before


def test_the_public_filter_form_round_trips_its_dates_and_numbers(client, full_case, language):
    url = reverse("tracker:case_list")
    query = {"date_from": "2022-02-01", "date_to": "2022-03-31", "people": "1000"}

    first = client.get(url, query).content.decode()
    fields = dict(form_fields(first, form_index_with(first, "date_from")))
    second = client.get(url, {k: v for k, v in fields.items() if v}).content.decode()

    assert (fields["date_from"], fields["date_to"], fields["people"]) == (
        "2022-02-01",
        "2022-03-31",
        "1000",
    )
    assert full_case.title in first and full_case.title in second
