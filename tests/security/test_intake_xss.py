"""Script typed into the report form is shown as text on every page that shows it: the form
given back, the moderation queue, review screen, publish form and contact page, and, once a
moderator published it, the public case page, the listing, the home page and the admin.

Each field gets its own payload (the letter in it names the field), so a page that shows a
field is checked for that field; a page that forgot to escape would put the payload into
the HTML as it was typed."""

import html

import pytest
from django.urls import reverse

from moderation import services
from moderation.forms import initial_case_data
from submissions.models import Message, Submission
from tests.conftest import log_in, make_submission, make_user, submission_form_data

from .conftest import inline_code

pytestmark = pytest.mark.django_db

# Each at most 40 characters: the queue shows the unit cut to 40.
PAYLOADS = {
    "script element": "<script>alert('{}')</script>",
    "attribute breakout": "\"><img src=x onerror=alert('{}')>",
    "single-quote breakout": "'><svg onload=alert('{}')>",
    "textarea breakout": "</textarea><script>alert('{}')</script>",
    "javascript link": "<a href=\"javascript:alert('{}')\">x</a>",
}
# Form field -> the letter its payload carries.
FIELDS = {
    "what_happened": "W",
    "location": "L",
    "unit": "U",
    "contact": "C",
    "sources-0-outlet": "O",
}
# The link keeps its payload in the query string: a valid http(s) link may carry it.
LINK = "https://example.org/x?q=\"><script>alert('S')</script>"
TITLE = "T"  # the case title, typed by the moderator who publishes


def payloads(template):
    values = {field: template.format(letter) for field, letter in FIELDS.items()}
    values["sources-0-url"] = LINK
    return values


def assert_shown_as_text(content, *texts):
    """Every text is on the page for the reader to see, none of them as markup."""
    for text in texts:
        assert text not in content, f"unescaped: {text}"
        assert text in html.unescape(content), f"not shown: {text}"
    assert inline_code(content) == []


@pytest.fixture(params=PAYLOADS.values(), ids=PAYLOADS.keys())
def template(request):
    return request.param


@pytest.fixture
def sent(client, template):
    """A report sent through the form with a payload in every text field."""
    response = client.post(
        reverse("submissions:submit"), submission_form_data(**payloads(template))
    )
    assert "receipt-code" in response.content.decode(), "the report was not accepted"
    return Submission.objects.get()


def text_of(template, field):
    return template.format(FIELDS[field])


@pytest.fixture
def published(sent, template, moderator):
    """The report published as a case by a moderator, with a payload in the title too."""
    source = sent.sources.get()
    services.verify_source(
        source, moderator=moderator, reachable=True, supports_report=True, independent=True
    )
    case_data = {
        **initial_case_data(sent),
        "home_region": None,
        # A plain word beside the payload: PostgreSQL's full-text parser skips markup, so a
        # search finds the case by this word on both databases.
        "original_language": "en",
        "title_en": f"{template.format(TITLE)} refusal",
        # The moderator's summary quotes the report's payload (the form would refuse a
        # long verbatim run; a short one is allowed).
        "summary_en": text_of(template, "what_happened"),
    }
    return services.publish(sent, moderator=moderator, case_data=case_data)


@pytest.fixture
def admin_client(client):
    admin = make_user("administrator")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    assert log_in(client, admin).status_code == 302
    return client


def test_the_form_given_back_shows_every_field_as_typed_and_as_text(client, template):
    # Without the consent the form comes back with everything that was typed.
    response = client.post(
        reverse("submissions:submit"),
        submission_form_data(consent_to_publish=None, **payloads(template)),
    )

    assert response.status_code == 200
    assert not Submission.objects.exists()
    assert_shown_as_text(
        response.content.decode(), *[text_of(template, field) for field in FIELDS], LINK
    )


def test_the_queue_shows_the_unit_as_text(moderator_client, sent, template):
    response = moderator_client.get(reverse("moderation:queue"))

    assert_shown_as_text(response.content.decode(), text_of(template, "unit"))


def test_the_review_screen_shows_every_field_and_the_link_as_text(moderator_client, sent, template):
    response = moderator_client.get(reverse("moderation:review", args=[sent.pk]))

    content = response.content.decode()
    fields = ["what_happened", "location", "unit", "sources-0-outlet"]
    assert_shown_as_text(content, *[text_of(template, field) for field in fields], LINK)
    assert text_of(template, "contact") not in html.unescape(content)


def test_the_publish_form_shows_the_report_as_text(moderator_client, sent, template):
    response = moderator_client.get(reverse("moderation:publish", args=[sent.pk]))

    fields = ["what_happened", "location", "unit"]
    assert_shown_as_text(response.content.decode(), *[text_of(template, field) for field in fields])


def test_the_contact_page_shows_the_contact_as_text(moderator_client, sent, template):
    response = moderator_client.post(reverse("moderation:contact", args=[sent.pk]))

    assert_shown_as_text(response.content.decode(), text_of(template, "contact"))


def test_the_public_case_page_shows_the_published_texts_as_text(client, published, template):
    response = client.get(published.get_absolute_url())

    fields = ["what_happened", "location", "unit", "sources-0-outlet"]
    texts = [text_of(template, field) for field in fields]
    assert_shown_as_text(response.content.decode(), template.format(TITLE), *texts, LINK)


@pytest.mark.parametrize("url", ["/", "/cases/", "/cases/?q=refusal"])
def test_the_home_page_and_listing_show_the_title_as_text(client, published, template, url):
    response = client.get(url)

    assert_shown_as_text(response.content.decode(), template.format(TITLE))


def test_the_moderators_case_editor_shows_the_case_as_text(moderator_client, published, template):
    response = moderator_client.get(reverse("moderation:case_edit", args=[published.pk]))

    fields = ["what_happened", "location", "unit"]
    texts = [text_of(template, field) for field in fields]
    assert_shown_as_text(response.content.decode(), template.format(TITLE), *texts)


def test_the_admin_change_page_shows_the_case_and_its_source_as_text(
    admin_client, published, template
):
    response = admin_client.get(f"/admin/tracker/case/{published.pk}/change/")

    fields = ["what_happened", "location", "unit", "sources-0-outlet"]
    texts = [text_of(template, field) for field in fields]
    assert_shown_as_text(response.content.decode(), template.format(TITLE), *texts, LINK)


def test_the_admin_case_list_shows_the_title_as_text(admin_client, published, template):
    response = admin_client.get("/admin/tracker/case/")

    assert_shown_as_text(response.content.decode(), template.format(TITLE))


@pytest.fixture
def asked(region, moderator, template):
    submission = make_submission(home_region=region)
    services.claim(submission, moderator=moderator)
    services.ask(submission, moderator=moderator, question=template.format("Q"))
    return submission


def test_a_question_and_an_answer_are_text_on_the_status_page(client, asked, template):
    response = client.post(
        reverse("submissions:answer"), {"code": asked.receipt_code, "text": template.format("A")}
    )

    assert Message.objects.filter(author_kind="submitter").count() == 1
    assert_shown_as_text(response.content.decode(), template.format("Q"), template.format("A"))


def test_a_question_and_an_answer_are_text_on_the_review_screen(
    client, moderator_client, asked, template
):
    # The submitter answers from an anonymous browser; the moderator reads it.
    from django.test import Client

    Client().post(
        reverse("submissions:answer"), {"code": asked.receipt_code, "text": template.format("A")}
    )

    response = moderator_client.get(reverse("moderation:review", args=[asked.pk]))

    assert_shown_as_text(response.content.decode(), template.format("Q"), template.format("A"))


# --- links that are not web links --------------------------------------------------------

NOT_WEB_LINKS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "javascript://example.org/%0Aalert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.org/report.pdf",
]


@pytest.mark.parametrize("link", NOT_WEB_LINKS)
def test_a_link_that_is_not_a_web_link_is_refused_and_never_becomes_a_link(client, link):
    response = client.post(
        reverse("submissions:submit"), submission_form_data(**{"sources-0-url": link})
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Enter a web address that starts with http:// or https://." in content
    assert not Submission.objects.exists()
    assert inline_code(content) == []
    assert 'href="data:' not in content and 'href="file:' not in content


@pytest.mark.parametrize("link", NOT_WEB_LINKS[:7])
def test_the_admin_refuses_a_script_link_on_a_case_source(link):
    from django.core.exceptions import ValidationError

    from tracker.models import Source

    field = Source._meta.get_field("url")
    with pytest.raises(ValidationError) as refused:
        field.clean(link.strip(), None)

    assert refused.value.messages
