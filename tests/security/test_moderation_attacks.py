"""Guessing and probing: attachment, submission and case URLs by number, receipt codes by
brute force, the queue's parameters, and submitter data on public pages or in front of a
moderator who may not see contacts."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from moderation import services
from submissions.models import Attachment, Message, Submission
from tests.conftest import log_in, make_case, make_submission, make_user
from tracker import counters
from tracker.models import Case

from .conftest import CANARY
from .test_public_crawl import crawl, shown_text

pytestmark = pytest.mark.django_db


def add_attachment(submission, content=b"\x89PNG\r\n\x1a\nsecret-bytes"):
    attachment = Attachment(submission=submission, kind="image", content_type="image/png", size=8)
    attachment.file.save("x.png", ContentFile(content), save=False)
    attachment.save()
    return attachment


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def two_reports(region):
    first, second = make_submission(home_region=region), make_submission(home_region=region)
    return first, second, add_attachment(first)


# --- guessing URLs ---------------------------------------------------------------------------


def test_an_attachment_is_not_served_under_another_submissions_number(
    moderator_client, two_reports
):
    first, second, attachment = two_reports

    response = moderator_client.get(
        reverse("moderation:attachment", args=[second.pk, attachment.pk])
    )

    assert response.status_code == 404
    assert b"secret-bytes" not in body(response)


@pytest.mark.parametrize(
    "name, args",
    [
        ("review", lambda s, a: [s + 1000]),
        ("attachment", lambda s, a: [s, a + 1000]),
        ("attachment", lambda s, a: [s + 1000, a]),
        ("publish", lambda s, a: [s + 1000]),
        ("merge", lambda s, a: [s + 1000]),
        ("case_edit", lambda s, a: [s + 1000]),
        ("case_retract", lambda s, a: [s + 1000]),
    ],
)
def test_a_moderator_guessing_a_number_that_does_not_exist_gets_a_plain_404(
    moderator_client, two_reports, name, args
):
    first, _second, attachment = two_reports

    response = moderator_client.get(
        reverse(f"moderation:{name}", args=args(first.pk, attachment.pk))
    )

    assert response.status_code == 404
    assert b"Traceback" not in body(response)


@pytest.mark.parametrize("name", ["claim", "reject", "ask", "contact", "release", "approve"])
def test_a_moderator_posting_to_a_submission_that_does_not_exist_gets_a_404(moderator_client, name):
    response = moderator_client.post(
        reverse(f"moderation:{name}", args=[999_999]), {"reason": "spam"}
    )

    assert response.status_code == 404


def test_a_nonexistent_and_an_existing_attachment_look_the_same_to_outsiders(
    client, two_reports, user_without_permission
):
    first, _second, attachment = two_reports
    existing = reverse("moderation:attachment", args=[first.pk, attachment.pk])
    missing = reverse("moderation:attachment", args=[first.pk, attachment.pk + 1000])

    assert client.get(existing).status_code == client.get(missing).status_code == 302
    log_in(client, user_without_permission)
    answers = [client.get(existing), client.get(missing)]
    assert [response.status_code for response in answers] == [403, 403]
    assert body(answers[0]) == body(answers[1])


@pytest.mark.parametrize("status", [Case.Status.DRAFT, Case.Status.RETRACTED])
def test_an_unpublished_case_stays_hidden_from_a_logged_in_moderator_on_the_public_site(
    moderator_client, region, status
):
    reason = "Withdrawn." if status == Case.Status.RETRACTED else ""
    case = make_case(
        title=f"{CANARY} hidden", status=status, home_region=region, retraction_reason=reason
    )

    response = moderator_client.get(f"/cases/{case.pk}/")

    assert response.status_code in (404, 410)
    assert CANARY not in response.content.decode()


def test_the_status_page_finds_nothing_by_number(client, two_reports):
    first, _second, _attachment = two_reports

    for data in [{"id": first.pk}, {"pk": first.pk}, {"submission": first.pk}, {"code": first.pk}]:
        response = client.post(reverse("submissions:status"), data)
        assert "status-box" not in response.content.decode(), data


# --- receipt codes by brute force --------------------------------------------------------


@pytest.fixture
def limited(settings):
    settings.RECEIPT_LOOKUPS_PER_HOUR = 5
    return settings.RECEIPT_LOOKUPS_PER_HOUR


def guess(client, url="submissions:status", code="ABCD-EFGH-JKMN-PQRS-TVWX"):
    return client.post(reverse(url), {"code": code, "text": "guess", "confirm": "on"})


def test_wrong_codes_are_throttled_but_the_right_code_always_works(client, new_submission, limited):
    answers = [guess(client).status_code for _ in range(limited)]
    throttled = guess(client)
    right = guess(client, code=new_submission.receipt_code)

    assert answers == [200] * limited
    assert throttled.status_code == 429
    assert "not_found" not in throttled.content.decode()
    # Behind an onion service everyone is one client: a guesser must not lock out owners.
    assert right.status_code == 200
    assert "status-box" in right.content.decode()


def test_guessing_may_start_again_when_the_hour_has_passed(client, limited, monkeypatch):
    for _ in range(limited + 1):
        guess(client)
    later = counters.time.time() + 3600
    monkeypatch.setattr(counters.time, "time", lambda: later)

    assert guess(client).status_code == 200


@pytest.mark.parametrize("url", ["submissions:answer", "submissions:withdraw"])
def test_guesses_through_the_answer_and_withdraw_forms_count_too(client, limited, url):
    for _ in range(limited):
        guess(client, url=url)

    assert guess(client, url=url).status_code == 429
    assert guess(client, url="submissions:status").status_code == 429
    assert not Message.objects.exists()


def test_one_clients_guessing_does_not_lock_out_another_submitter(client, new_submission, limited):
    for _ in range(limited + 5):
        client.post(reverse("submissions:status"), {"code": "WRONG"}, REMOTE_ADDR="198.51.100.7")

    response = Client().post(
        reverse("submissions:status"),
        {"code": new_submission.receipt_code},
        REMOTE_ADDR="203.0.113.9",
    )

    assert response.status_code == 200
    assert "status-box" in response.content.decode()


# --- the queue's parameters ----------------------------------------------------------------


@pytest.fixture
def queue_of_three(region, other_moderator):
    older = make_submission(home_region=region, unit="first unit")
    middle = make_submission(home_region=region, unit="second unit")
    newer = make_submission(home_region=region, unit="third unit")
    return [older, middle, newer]


UNITS = ["first unit", "second unit", "third unit"]


def queue_order(response):
    """The units of the queue's rows, top to bottom."""
    content = response.content.decode()
    return sorted((unit for unit in UNITS if unit in content), key=content.index)


@pytest.mark.parametrize(
    "query",
    [
        "ordering=-created_at",
        "order_by=-id",
        "sort=contact_encrypted",
        "o=-1",
        "state=decided' OR '1'='1",
        "state=published",
        "language=xx",
        "state[]=new",
        "page=-1",
        "page=999999",
        "page=1e9",
    ],
)
def test_queue_parameters_outside_the_allow_list_change_nothing(
    moderator_client, queue_of_three, query
):
    response = moderator_client.get(f"{reverse('moderation:queue')}?{query}")

    assert response.status_code == 200
    assert queue_order(response) == ["first unit", "second unit", "third unit"]


def test_a_thousand_repeated_queue_parameters_get_a_page(moderator_client, queue_of_three):
    response = moderator_client.get(
        f"{reverse('moderation:queue')}?" + "&".join(["state=new"] * 1000)
    )

    assert response.status_code == 200
    assert queue_order(response) == ["first unit", "second unit", "third unit"]


def test_a_thousand_different_queue_parameters_get_a_page(moderator_client, queue_of_three):
    query = "&".join(f"p{number}=1" for number in range(1000))

    assert moderator_client.get(f"{reverse('moderation:queue')}?{query}").status_code == 200


def test_more_than_a_thousand_queue_parameters_are_a_bad_request(moderator_client):
    response = moderator_client.get(
        f"{reverse('moderation:queue')}?" + "&".join(["state=new"] * 1001)
    )

    assert response.status_code == 400


def test_bulk_spam_refuses_a_submission_someone_else_claimed_even_if_posted_by_hand(
    moderator_client, queue_of_three, other_moderator
):
    claimed = queue_of_three[0]
    services.claim(claimed, moderator=other_moderator)

    moderator_client.post(
        reverse("moderation:bulk_reject_spam"), {"submissions": [claimed.pk], "confirm": "1"}
    )

    claimed.refresh_from_db()
    assert claimed.status == Submission.Status.IN_REVIEW


# --- contact details -----------------------------------------------------------------------

CONTACT = f"{CANARY} signal +7 900 111-22-33"


@pytest.fixture
def reviewer_client(client):
    """Someone who may review reports but not see who sent them."""
    reviewer = make_user("reviewer")
    reviewer.user_permissions.add(Permission.objects.get(codename="moderate"))
    assert log_in(client, reviewer).status_code == 302
    return client


@pytest.fixture
def report_with_contact(region):
    submission = make_submission(
        home_region=region,
        contact=CONTACT,
        sources=[{"url": "https://example.org/a", "outlet": "A", "verified": True}],
    )
    add_attachment(submission)
    return submission


def moderation_pages(submission):
    pk = submission.pk
    return [
        reverse("moderation:queue"),
        reverse("moderation:queue") + "?state=new",
        reverse("moderation:review", args=[pk]),
        reverse("moderation:publish", args=[pk]),
        reverse("moderation:merge", args=[pk]),
    ]


def test_a_reviewer_without_the_permission_sees_the_contact_on_no_page(
    reviewer_client, report_with_contact
):
    for url in moderation_pages(report_with_contact):
        response = reviewer_client.get(url)
        assert response.status_code == 200, url
        assert CANARY not in response.content.decode(), url


def test_a_reviewer_without_the_permission_cannot_post_for_the_contact(
    reviewer_client, report_with_contact
):
    response = reviewer_client.post(reverse("moderation:contact", args=[report_with_contact.pk]))

    assert response.status_code == 403
    assert CANARY not in response.content.decode()
    assert not report_with_contact.audit_events.filter(action="view_contact").exists()


def test_a_reviewer_without_the_permission_sees_no_contact_after_acting(
    reviewer_client, report_with_contact
):
    reviewer_client.post(reverse("moderation:claim", args=[report_with_contact.pk]))
    reviewer_client.post(
        reverse("moderation:ask", args=[report_with_contact.pk]), {"question": "Which unit?"}
    )

    response = reviewer_client.get(reverse("moderation:review", args=[report_with_contact.pk]))

    assert CANARY not in response.content.decode()


def test_even_a_moderator_with_the_permission_sees_the_contact_only_after_asking(
    moderator_client, report_with_contact
):
    for url in moderation_pages(report_with_contact):
        assert CANARY not in moderator_client.get(url).content.decode(), url
    shown = moderator_client.post(reverse("moderation:contact", args=[report_with_contact.pk]))

    assert CANARY in shown.content.decode()
    assert shown["Cache-Control"].startswith("max-age=0")
    look = report_with_contact.audit_events.get(action="view_contact")
    assert CANARY not in repr(look.details) + look.note


# --- submitter data on the public site -------------------------------------------------------


@pytest.fixture
def submission_canaries(region, moderator):
    """Reports in every state whose every text carries the canary; one is published as a
    case written in the project's own words, as moderators do."""
    texts = {
        "what_happened": f"{CANARY} what happened",
        "unit": f"{CANARY} unit",
        "location": f"{CANARY} place",
        "contact": f"{CANARY} contact",
        "sources": [
            {"url": f"https://example.org/{CANARY}", "outlet": f"{CANARY} outlet", "verified": True}
        ],
    }
    new = make_submission(home_region=region, **texts)
    in_review = make_submission(home_region=region, **texts)
    services.claim(in_review, moderator=moderator)
    services.ask(in_review, moderator=moderator, question=f"{CANARY} question")
    rejected = make_submission(home_region=region, **texts)
    services.reject(rejected, moderator=moderator, reason="unsafe", note=f"{CANARY} note")
    withdrawn = make_submission(home_region=region, status="withdrawn", **texts)
    published = make_submission(home_region=region, **texts)
    case = services.publish(
        published,
        moderator=moderator,
        case_data={
            "title_en": "Neutral title",
            "summary_en": "A summary in the project's own words.",
            "refusal_kind": "refused_deploy",
            "home_region": region,
            "confidence": "reported",
            "outcomes": [],
        },
    )
    # The published source keeps its link: the canary in it is the outlet's, so rewrite it.
    case.sources.update(url="https://example.org/article", outlet="Example")
    return {
        "new": new,
        "in_review": in_review,
        "rejected": rejected,
        "withdrawn": withdrawn,
        "published": case,
    }


def test_no_public_page_shows_anything_a_submitter_sent(client, submission_canaries):
    listing = reverse("tracker:case_list")
    start = [
        reverse("tracker:home"),
        listing,
        f"{listing}?q={CANARY}",
        f"{listing}?outlet={CANARY}",
        f"{listing}?q=unit",
        reverse("submissions:submit"),
        reverse("submissions:status"),
    ]

    pages = crawl(client, start)

    assert submission_canaries["published"].get_absolute_url() in pages
    for url, response in pages.items():
        assert CANARY not in shown_text(url, response), url


def test_the_status_page_with_a_wrong_code_shows_nothing_of_any_report(client, submission_canaries):
    response = client.post(reverse("submissions:status"), {"code": "K7QF-M2XD-9RTA-W4HE-P6NC"})

    assert CANARY not in response.content.decode()


# --- approving a draft that changed -------------------------------------------------------


def test_an_approval_of_a_draft_edited_since_the_page_was_loaded_is_refused_and_says_so(
    region, moderator, other_moderator, settings
):
    import re

    settings.MODERATION_FOUR_EYES = True
    report = make_submission(
        home_region=region,
        sources=[{"url": "https://example.org/a", "outlet": "A", "verified": True}],
    )
    case_data = {"title_en": "Draft", "summary_en": "S.", "refusal_kind": "refused_deploy"}
    case = services.publish(report, moderator=moderator, case_data={**case_data, "outcomes": []})
    approver = Client()
    log_in(approver, other_moderator)
    page = approver.get(reverse("moderation:review", args=[report.pk])).content.decode()
    seen = re.search(r'name="case_version" value="([^"]+)"', page).group(1)
    services.edit_case(case, moderator=moderator, changes={"title_en": "Changed after reading"})

    response = approver.post(
        reverse("moderation:approve", args=[report.pk]), {"case_version": seen}, follow=True
    )

    assert "was edited since you read it" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT
