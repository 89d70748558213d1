"""The moderator's workbench cannot damage a case: no silent overwrite between two
moderators, corrections that say exactly what changed in the reader's language, the
report's words never published by default, and every change kept as a version."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from moderation import services
from moderation.models import AuditEvent
from tests.conftest import log_in, make_case, make_submission
from tracker.models import Case, CaseCorrection

pytestmark = pytest.mark.django_db

HIDDEN = r'<input type="hidden" name="([^"]+)" value="([^"]*)">'

REPORT = (
    "Мой брат служит в войсковой части 3723, их роту отправили к границе, и двенадцать "
    "человек отказались ехать дальше, командир грозил им уголовным делом."
)


def edit_data(client, case, **changes):
    """The case edit form as the browser posts it back, with `changes`."""
    form = client.get(reverse("moderation:case_edit", args=[case.pk])).context["form"]
    return {**form_values(form), **changes}


def form_values(form):
    """What a rendered form posts back unchanged."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(value, list):
            data[name] = value
        elif value is not None:
            data[name] = field.widget.format_value(value) if hasattr(value, "year") else value
    return data


@pytest.fixture
def second_client(other_moderator):
    second = Client()
    log_in(second, other_moderator)
    return second


def test_a_stale_edit_is_refused_shows_what_changed_and_keeps_what_was_typed(
    moderator_client, second_client, published_case
):
    url = reverse("moderation:case_edit", args=[published_case.pk])
    mine = edit_data(moderator_client, published_case, location="Belgorod oblast")
    theirs = edit_data(second_client, published_case, unit="military unit 3723")
    second_client.post(url, theirs)  # the other moderator saves first

    response = moderator_client.post(url, mine)

    content = html.unescape(response.content.decode())
    assert "was changed by someone else after you opened it" in content
    assert "Changed since you opened this form" in content
    assert "military unit 3723" in content  # what the other moderator changed
    assert 'value="Belgorod oblast"' in content  # what this moderator typed is kept
    published_case.refresh_from_db()
    assert (published_case.unit, published_case.location) == ("military unit 3723", "")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EDIT_CASE).count() == 1

    # Having read it, the moderator saves the form again: their change goes on top.
    moderator_client.post(url, form_values(response.context["form"]))
    published_case.refresh_from_db()
    assert (published_case.unit, published_case.location) == (
        "military unit 3723",
        "Belgorod oblast",
    )


def test_the_edit_service_refuses_a_change_made_from_an_older_version(moderator, published_case):
    services.edit_case(published_case, moderator=moderator, changes={"unit": "3723"})

    with pytest.raises(services.StaleEdit):
        services.edit_case(
            published_case, moderator=moderator, changes={"unit": "3724"}, seen_version=1
        )

    published_case.refresh_from_db()
    assert (published_case.unit, published_case.version) == ("3723", 2)


def test_every_change_is_kept_as_a_version_with_before_and_after(
    moderator_client, moderator, published_case
):
    services.edit_case(published_case, moderator=moderator, changes={"unit": "military unit 3723"})
    services.retract(published_case, moderator=moderator, reason="The source withdrew it.")

    events = list(published_case.audit_events.order_by("at", "id"))
    assert [event.details["version"] for event in events] == [2, 3]
    assert events[0].details["changes"] == {"unit": ["", "military unit 3723"]}
    assert events[1].details["changes"]["status"] == ["published", "retracted"]
    page = moderator_client.get(reverse("moderation:case_edit", args=[published_case.pk]))
    content = html.unescape(page.content.decode())
    assert "military unit 3723" in content and "The source withdrew it." in content


def test_a_correction_line_is_rendered_in_the_readers_language(client, moderator, published_case):
    services.edit_case(
        published_case,
        moderator=moderator,
        changes={"unit": "в/ч 3723", "location": "Белгород"},
    )

    client.cookies["django_language"] = "ru"
    page = client.get(published_case.get_absolute_url(), follow=True).content.decode()

    with translation.override("ru"):
        line = CaseCorrection.objects.get().description()
    assert line.startswith("Исправлено") and line in html.unescape(page)
    assert "Corrected" not in page


def test_a_merge_without_new_sources_does_not_claim_a_source_was_added(
    moderator, region, published_case
):
    submission = make_submission(
        home_region=region,
        sources=[{"url": "https://example.org/seen", "outlet": "Seen", "verified": True}],
    )
    published_case.sources.create(outlet="Seen", url="https://example.org/seen")

    services.merge(
        submission,
        moderator=moderator,
        case=published_case,
        merge_data={"outcomes": ["criminal_case"]},
    )

    correction = CaseCorrection.objects.get()
    assert correction.changes == {"merged": True, "fields": ["outcomes"]}
    assert "source" not in correction.description().lower()
    assert correction.note == ""


def test_the_publish_form_starts_empty_and_shows_the_report_beside_it(moderator_client, region):
    submission = make_submission(home_region=region, what_happened=REPORT, language="ru")

    response = moderator_client.get(reverse("moderation:publish", args=[submission.pk]))

    form = response.context["form"]
    for name in ("title_en", "title_ru", "title_uk", "summary_en", "summary_ru", "summary_uk"):
        assert form[name].value() in (None, "")
    # The case is most likely written in the report's language.
    assert form["original_language"].value() == "ru"
    content = response.content.decode()
    assert re.search(r'<div dir="auto" lang="ru">\s*<p>Мой брат', content)


@pytest.mark.parametrize("language", ["en", "ru", "uk"])
def test_a_summary_copying_the_report_word_for_word_is_refused_and_kept(
    moderator_client, region, language
):
    """In every language version: the copy may sit in a translation."""
    submission = make_submission(
        home_region=region,
        what_happened=REPORT,
        sources=[{"url": "https://example.org/a", "outlet": "A", "verified": True}],
    )
    copied = "Двенадцать военных. " + REPORT[:120]
    data = {
        "original_language": "en",
        "title_en": "Twelve servicemen refused to go on",
        "summary_en": "Twelve servicemen refused to go on fighting.",
        f"summary_{language}": copied,
        "event_date_precision": "unknown",
        "people_qualifier": "unknown",
        "service_status": "unknown",
        "force": "unknown",
        "location_country": "unknown",
        "refusal_kind": Case.RefusalKind.REFUSED_DEPLOY,
        "confidence": "reported",
    }

    response = moderator_client.post(reverse("moderation:publish", args=[submission.pk]), data)

    content = html.unescape(response.content.decode())
    assert "words of the report word for word" in content
    assert copied in content  # kept in the form
    assert not Case.objects.exists()


def test_the_merge_confirmation_lists_exactly_what_will_be_added(
    moderator_client, region, published_case
):
    submission = make_submission(
        home_region=region,
        sources=[{"url": "https://example.org/new", "outlet": "New outlet", "verified": True}],
    )
    url = reverse("moderation:merge", args=[submission.pk])

    confirmation = moderator_client.post(url, {"case": published_case.pk, "outcomes": []})

    content = confirmation.content.decode()
    assert "New outlet" in content and 'name="confirm"' in content
    published_case.refresh_from_db()
    assert published_case.sources.count() == 1  # nothing merged before the confirmation
    submission.refresh_from_db()
    assert submission.case is None


def test_a_merge_confirmed_on_an_older_version_of_the_case_is_refused(
    moderator_client, moderator, region, published_case
):
    submission = make_submission(
        home_region=region,
        sources=[{"url": "https://example.org/new", "outlet": "New outlet", "verified": True}],
    )
    url = reverse("moderation:merge", args=[submission.pk])
    confirmation = moderator_client.post(url, {"case": published_case.pk})
    services.edit_case(published_case, moderator=moderator, changes={"unit": "3723"})
    hidden = dict(
        re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)">', confirmation.content.decode()
        )
    )

    response = moderator_client.post(url, hidden)

    assert "was changed by someone else" in html.unescape(response.content.decode())
    published_case.refresh_from_db()
    assert published_case.sources.count() == 1


def test_the_merge_page_finds_the_case_by_words_and_previews_it(moderator_client, region):
    case = make_case(title="OMON officers from Nalchik refused", home_region=region)
    make_case(title="Another unrelated case", home_region=region)
    submission = make_submission(home_region=region)
    url = reverse("moderation:merge", args=[submission.pk])

    found = moderator_client.get(url, {"q": "Nalchik"}).content.decode()
    chosen = moderator_client.get(url, {"case": case.pk}).content.decode()

    assert "OMON officers from Nalchik refused" in found
    assert "Another unrelated case" not in found
    assert f"#{case.pk}" in chosen and "Merging into" in chosen


def test_the_moderators_case_list_shows_every_case_with_filters(
    moderator_client, region, draft_case, retracted_case
):
    seed = make_case(title="A case from the seed documents", seed_id="seed-1", home_region=region)
    url = reverse("moderation:case_list")

    everything = moderator_client.get(url).content.decode()
    drafts = moderator_client.get(url, {"status": "draft"}).content.decode()
    seeds = moderator_client.get(url, {"origin": "seed"}).content.decode()

    for case in (draft_case, retracted_case, seed):
        assert f"#{case.pk} " in everything
        assert reverse("moderation:case_edit", args=[case.pk]) in everything
    assert f"#{draft_case.pk} " in drafts and f"#{seed.pk} " not in drafts
    assert f"#{seed.pk} " in seeds and f"#{draft_case.pk} " not in seeds
    assert reverse("moderation:case_retract", args=[seed.pk]) in everything


def test_the_case_list_refuses_anonymous_readers(client):
    response = client.get(reverse("moderation:case_list"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_public_case_page_shows_an_edit_link_only_to_a_moderator(
    moderator_client, published_case
):
    edit = reverse("moderation:case_edit", args=[published_case.pk])

    anonymous = Client().get(published_case.get_absolute_url(), follow=True).content.decode()
    moderator = moderator_client.get(published_case.get_absolute_url(), follow=True)

    assert edit not in anonymous
    assert edit in moderator.content.decode()
