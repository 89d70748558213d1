"""What the record holds beyond a single value per fact: where each source's account comes
from, approximate dates, mixed groups, legal proceedings as dated steps, disagreeing
sources and possible duplicates — on the case page, in the listing's court filter, the
export, and the moderators' edit form."""

import csv
import datetime
import io
import json

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.conftest import make_case
from tests.form_parsing import as_post_data, form_fields, form_index_with
from tracker.models import Case, CaseEvent, Source

pytestmark = pytest.mark.django_db

Kind, Result = CaseEvent.Kind, CaseEvent.Result


def step(case, date, kind, result="", **legal):
    return CaseEvent.objects.create(
        case=case, date=date, kind=kind, description="A step.", result=result, **legal
    )


def listed_titles(client, **params):
    content = client.get(reverse("tracker:case_list"), params).content.decode()
    return {case.title for case in Case.objects.all() if case.title in content}


def test_the_court_filter_reads_the_latest_step_of_the_proceedings(client, region):
    pending = make_case(title="Still before the court", home_region=region)
    step(pending, "2022-03-01", Kind.LAWSUIT_FILED, Result.PENDING, claimants=12)
    step(pending, "2022-03-29", Kind.LAWSUIT_WITHDRAWN, Result.WITHDRAWN, claimants=9)
    step(pending, "2022-06-08", Kind.HEARING, Result.PENDING, claimants=3, closed_hearing=True)
    decided = make_case(title="Claim rejected in Nalchik", home_region=region)
    step(decided, "2022-05-11", Kind.LAWSUIT_FILED, Result.PENDING, claimants=115)
    step(decided, "2022-05-25", Kind.RULING, Result.REJECTED, claimants=115)
    make_case(title="Never went to court", home_region=region)

    assert listed_titles(client, court="pending") == {"Still before the court"}
    assert listed_titles(client, court="rejected") == {"Claim rejected in Nalchik"}
    assert listed_titles(client, court="withdrawn") == set()


def test_the_api_and_export_take_the_court_filter_too(client, region):
    decided = make_case(title="Claim rejected in Nalchik", home_region=region)
    step(decided, "2022-05-25", Kind.RULING, Result.REJECTED, court="Nalchik garrison court")
    make_case(title="Never went to court", home_region=region)

    api = client.get("/api/cases/", {"court": "rejected"}).json()
    exported = client.get(reverse("tracker:case_export_json"), {"court": "rejected"})
    cases = json.loads(b"".join(exported.streaming_content))["cases"]

    assert [case["title_en"] for case in api["results"]] == ["Claim rejected in Nalchik"]
    assert [case["title_en"] for case in cases] == ["Claim rejected in Nalchik"]
    assert cases[0]["legal_steps"][0]["court"] == "Nalchik garrison court"
    assert cases[0]["legal_steps"][0]["result"] == "rejected"


def test_legal_details_belong_to_legal_steps_only(region):
    case = make_case(home_region=region)
    with pytest.raises(IntegrityError), transaction.atomic():
        step(case, "2022-03-01", Kind.DISMISSAL, Result.REJECTED)
    assert not case.events.exists()


def test_a_mixed_group_accepts_only_known_statuses(region):
    case = make_case(home_region=region, other_service_statuses=["conscript", "pirate"])
    with pytest.raises(ValidationError) as error:
        case.full_clean()
    assert "other_service_statuses" in error.value.message_dict


def test_the_csv_export_lists_a_mixed_group_and_the_legal_steps(client, region):
    case = make_case(
        home_region=region,
        other_forces=["army_ground", "fsb"],
        sources=[
            {
                "outlet": "WSJ",
                "published_on": datetime.date(2022, 5, 1),
                "published_on_precision": "month",
            }
        ],
    )
    step(case, "2022-05-25", Kind.RULING, Result.REJECTED, court="Nalchik", claimants=115)

    content = b"".join(client.get(reverse("tracker:case_export_csv")).streaming_content)
    row = next(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))

    assert row["other_forces"] == "army_ground | fsb"
    assert row["sources"] == "WSJ (2022-05)"
    assert row["legal_steps"] == "2022-05-25 ruling: Nalchik, 115 claimants, rejected"


@pytest.fixture
def documented_case(region):
    case = make_case(
        title="Guardsmen dismissed after leaving Kharkiv oblast",
        home_region=region,
        event_date=None,
        event_date_precision="unknown",
        event_date_not_before=datetime.date(2022, 2, 24),
        event_date_not_after=datetime.date(2022, 3, 5),
        service_status="conscript",
        other_service_statuses=["contract"],
        conflicting_accounts="Grati: at least 80 marines. Mediazona: about 80 conscripts.",
        confidence="confirmed",
        sources=[
            {
                "outlet": "The Wall Street Journal",
                "published_on": datetime.date(2022, 5, 1),
                "published_on_precision": "month",
                "account_from": Source.AccountFrom.DOCUMENT,
                "cited_in": "Read in full by the project",
            },
            {
                "outlet": "Meduza",
                "account_from": "lawyer",
                "relays": True,
                "relayed_source": "Novy Fokus",
            },
        ],
    )
    step(
        case,
        "2022-05-25",
        Kind.RULING,
        Result.REJECTED,
        court="Nalchik garrison court",
        claimants=115,
    )
    duplicate = make_case(title="Perhaps the same guardsmen", home_region=region)
    case.possible_duplicates.add(duplicate)
    return case


def test_the_case_page_says_why_it_has_its_grade_and_where_sources_disagree(
    client, documented_case
):
    content = client.get(documented_case.get_absolute_url()).content.decode()

    assert (
        "Confirmed: a court or military document, reported by The Wall Street Journal." in content
    )
    assert reverse("tracker:methodology") + "#confidence" in content
    assert "Where the sources disagree" in content and "about 80 conscripts" in content
    assert "between Feb. 24, 2022 and March 5, 2022" in content
    assert "conscript; contract soldier" in content
    assert "May 2022" in content and "Read in full by the project" in content
    assert "Account from: a court or military document" in content
    assert "relays Novy Fokus" in content
    assert "Nalchik garrison court" in content and "rejected" in content
    assert "Possible duplicates" in content and "Perhaps the same guardsmen" in content


def test_the_other_case_lists_the_possible_duplicate_too(client, documented_case):
    other = Case.objects.get(title_en="Perhaps the same guardsmen")
    content = client.get(other.get_absolute_url()).content.decode()
    assert "Possible duplicates" in content and documented_case.title in content
    assert "Related cases" not in content


def test_the_case_page_explains_the_grade_in_russian(client, documented_case):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    content = client.get(documented_case.get_absolute_url()).content.decode()
    assert "судебный или военный документ" in content
    assert "Где источники расходятся" in content


def test_a_lowered_grade_shows_the_moderators_reason(client, region):
    case = make_case(
        home_region=region,
        confidence="unconfirmed",
        confidence_note="The list that cites it says no other source confirms it.",
        sources=[{"outlet": "Sever.Realii", "relays": True}],
    )
    content = client.get(case.get_absolute_url()).content.decode()
    assert "Unconfirmed, lower than the “reported” its sources support" in content
    assert "no other source confirms it" in content


def edit(client, case, **changes):
    url = reverse("moderation:case_edit", args=[case.pk])
    content = client.get(url).content.decode()
    fields = dict(as_post_data(form_fields(content, form_index_with(content, "title_en"))))
    fields.update({name: [value] for name, value in changes.items()})
    return client.post(url, fields)


def test_a_moderator_cannot_raise_the_grade_above_the_sources(moderator_client, region):
    case = make_case(home_region=region, confidence="reported")

    response = edit(moderator_client, case, confidence="confirmed")

    assert "The verified sources support at most “reported”." in response.content.decode()
    case.refresh_from_db()
    assert case.confidence == "reported"


def test_a_moderator_lowers_the_grade_only_with_a_reason(moderator_client, region):
    case = make_case(home_region=region, confidence="reported")

    refused = edit(moderator_client, case, confidence="unconfirmed")
    assert "Say why the confidence is lower" in refused.content.decode()
    case.refresh_from_db()
    assert case.confidence == "reported"

    edit(moderator_client, case, confidence="unconfirmed", confidence_note="Only one side says so.")
    case.refresh_from_db()
    assert (case.confidence, case.confidence_note) == ("unconfirmed", "Only one side says so.")


def test_the_edit_form_refuses_a_date_range_that_ends_before_it_starts(moderator_client, region):
    case = make_case(home_region=region)

    response = edit(
        moderator_client,
        case,
        event_date_not_before="2022-03-05",
        event_date_not_after="2022-02-24",
    )

    assert "must not be later than" in response.content.decode()
    assert 'value="2022-03-05"' in response.content.decode()
    case.refresh_from_db()
    assert case.event_date_not_before is None


def test_several_is_counted_as_the_least_it_means(moderator_client, region):
    case = make_case(home_region=region)

    edit(moderator_client, case, people_count="", people_qualifier="several")

    case.refresh_from_db()
    assert (case.people_count, case.people_display()) == (2, "several")


def test_a_merge_may_add_a_legal_step_and_only_to_a_legal_kind(region):
    from moderation.forms import MergeForm

    case = make_case(home_region=region)
    base = {
        "case": case.pk,
        "event_date": "2022-05-25",
        "event_kind": "ruling",
        "event_description_en": "The claim was rejected.",
        "event_court": "Nalchik garrison court",
        "event_claimants": "115",
        "event_result": "rejected",
        "event_closed_hearing": "true",
    }
    form = MergeForm(base)
    assert form.is_valid(), form.errors
    event = form.merge_data()["event"]
    assert (event["court"], event["claimants"], event["result"], event["closed_hearing"]) == (
        "Nalchik garrison court",
        115,
        "rejected",
        True,
    )
    description = event.pop("description")
    assert description == {"en": "The claim was rejected."}
    CaseEvent.objects.create(case=case, **event, description_en=description["en"])
    assert case.events.get().is_legal_step

    wrong = MergeForm({**base, "event_kind": "dismissal"})
    assert not wrong.is_valid()
    assert "belong to a step of legal proceedings" in str(wrong.errors["event_kind"])
