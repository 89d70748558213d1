"""Moderator pages and the remaining public pages in a real browser, checked by axe-core:
login, enrolment of the authenticator app, queue, review, publish form (also with errors),
the list of dead sources, statistics, data dictionary and the error page, each with the
right `lang`."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, run_axe

pytestmark = pytest.mark.e2e


def send_report_with_two_sources(page, server, unit):
    page.goto(server.url + "/submit/")
    page.get_by_label("What happened?").fill(f"Soldiers of {unit} refused to go back.")
    page.get_by_label("Unit", exact=True).fill(unit)
    for number, url in enumerate(["https://example.org/one", "https://example.net/two"], 1):
        page.get_by_role("group", name=f"Source {number}").get_by_label("Link").fill(url)
    page.get_by_label("a journalist or researcher").check()
    page.get_by_label("I agree that a summary in the project's own words").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.locator(".receipt-code")).to_be_visible()


def test_the_moderation_pages_have_no_serious_accessibility_violations(
    make_page, make_moderator, server, screenshot
):
    unit = "military unit 55443"
    page = make_page(locale="en-GB")
    send_report_with_two_sources(page, server, unit)
    violations = {}

    def check(name):
        screenshot(page, name)
        assert page.locator("html").get_attribute("lang") == "en", name
        violations[name] = run_axe(page)

    moderator = make_moderator("moderator-a11y")
    page.goto(server.url + "/accounts/login/")
    check("login")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert").or_(page.locator(".invalid-feedback")).first).to_be_visible()
    check("login-errors")

    # The first login without a code leads to the enrolment of the authenticator app.
    log_in(page, server, moderator, with_code=False)
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    check("enrol")
    page.get_by_label("Code from your authenticator app").fill(moderator.code())
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Your authenticator app is set up.")).to_be_visible()
    check("queue")

    page.get_by_role("row").filter(has_text=unit).get_by_role("button", name="Claim").click()
    expect(page.get_by_text("You are reviewing submission")).to_be_visible()
    check("review")
    first = page.locator("article.source-check").first
    first.get_by_label("Reachable?").select_option(label="yes")
    first.get_by_label("Does it say what the report says?").select_option(label="yes")
    first.get_by_role("button", name="Save check").click()
    expect(page.get_by_text("Source checked.")).to_be_visible()

    page.get_by_role("link", name="Publish as a new case…").click()
    check("publish")
    page.get_by_role("button", name="Publish", exact=True).click()
    # The report came in English, so the case's original language starts as English.
    expect(page.get_by_label("Title (English)")).to_have_attribute("aria-invalid", "true")
    check("publish-errors")

    # The list of dead sources, with one seed source marked offline (no fetch happens here).
    server.manage("shell", "-c", MARK_A_SOURCE_OFFLINE)
    page.goto(server.url + "/moderation/sources/dead/")
    expect(page.get_by_role("heading", name="Dead sources")).to_be_visible()
    expect(page.get_by_role("cell", name="offline")).to_be_visible()
    check("dead-sources")

    assert violations == {name: [] for name in violations}


MARK_A_SOURCE_OFFLINE = """
from django.utils import timezone
from tracker.models import Source
from tracker.preservation.models import SourceStatus
now = timezone.now()
SourceStatus.objects.update_or_create(
    source=Source.objects.order_by("pk").first(),
    defaults={"link_status": "offline", "link_checked_at": now, "offline_since": now},
)
"""


@pytest.mark.parametrize("language", ["en", "ru", "uk"])
@pytest.mark.parametrize("path", ["/stats/", "/data/", "/no-such-page/"])
def test_statistics_data_and_error_pages_have_no_serious_accessibility_violations(
    make_page, server, screenshot, path, language
):
    page = make_page(locale=language, extra_http_headers={"Accept-Language": language})
    response = page.goto(server.url + path)
    assert response.status == (404 if "no-such" in path else 200)
    screenshot(page, "page")
    assert page.locator("html").get_attribute("lang") == language
    assert run_axe(page) == []
