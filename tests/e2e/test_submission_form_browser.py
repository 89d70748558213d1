"""The report form in a real browser: with JavaScript off, with the keyboard only, and checked
by axe-core on every page a submitter sees (empty, with errors, receipt, status)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import RECEIPT_CODE, photo_with_location, run_axe

pytestmark = pytest.mark.e2e

CONSENT = "I agree that a summary in the project's own words may be published"


def fill_minimal_report(page):
    page.get_by_label("What happened?").fill(
        "Three conscripts from our town refused to sign a contract in April."
    )
    page.get_by_label("a relative or friend").check()
    page.get_by_label(CONSENT).check()


def receipt_code(page):
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you. Your report was received."
    )
    code = page.locator(".receipt-code").inner_text().strip()
    assert re.fullmatch(RECEIPT_CODE, code), code
    return code


def test_a_report_with_a_photo_can_be_sent_with_javascript_off(
    make_page, server, screenshot, tmp_path
):
    page = make_page(java_script_enabled=False, locale="en-GB")
    page.goto(server.url + "/submit/")
    fill_minimal_report(page)
    source = page.get_by_role("group", name="Source 1")
    source.get_by_label("Link").fill("https://example.org/a")
    page.get_by_label("Photos or documents").set_input_files(
        photo_with_location(tmp_path / "photo.jpg")
    )
    screenshot(page, "filled")
    page.get_by_role("button", name="Send report").click()
    receipt_code(page)
    screenshot(page, "receipt")


def focused(page):
    """What has the keyboard focus: a form field's name, or the tag and text of anything else."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (el.name) return el.name;
            return el.tagName.toLowerCase() + ':' + el.textContent.trim().slice(0, 40);
        }"""
    )


def test_a_report_can_be_sent_with_the_keyboard_only_in_a_sensible_order(
    make_page, server, screenshot
):
    page = make_page(locale="en-GB")
    page.goto(server.url + "/submit/")

    page.keyboard.press("Tab")
    assert focused(page) == "a:Skip to content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page) == "summary:What we keep, and what we do not"

    order = []
    for _press in range(150):
        page.keyboard.press("Tab")
        name = focused(page)
        if not order or order[-1] != name:  # a date field takes several presses
            order.append(name)
        if name == "what_happened" and not page.get_by_label("What happened?").input_value():
            page.keyboard.type("A neighbour's son left his unit near Bakhmut in May.")
        elif name == "relation" and order.count("relation") == 1:
            page.keyboard.press("Space")
        elif name == "consent_to_publish":
            # Back to the field before and forward again: Shift+Tab retraces the order.
            page.keyboard.press("Shift+Tab")
            assert focused(page) == "contact"
            page.keyboard.press("Tab")
            page.keyboard.press("Space")
        elif name.startswith("button:"):
            break

    expected = [
        "what_happened",
        "event_date",
        "event_date_precision",
        "home_region",
        "location_country",
        "location",
        "force",
        "unit",
        "people_count",
        "people_qualifier",
        "service_status",
        "refusal_kind",
        "outcomes",
        "sources-0-url",
        "sources-0-outlet",
        "sources-0-published_on",
        "sources-1-url",
        "sources-1-outlet",
        "sources-1-published_on",
        "summary:More sources",
        "attachments",
        "relation",
        "contact",
        "consent_to_publish",
        "button:Send report",
    ]
    assert order == expected
    assert page.get_by_label("it happened to me").is_checked()  # the first answer
    assert page.get_by_label(CONSENT).is_checked()
    screenshot(page, "before-sending")
    page.keyboard.press("Enter")
    receipt_code(page)
    screenshot(page, "receipt")


def test_every_focused_control_shows_where_the_focus_is(make_page, server):
    page = make_page(locale="en-GB")
    page.goto(server.url + "/submit/")
    unmarked = set()
    while focused(page) != "button:Send report":
        page.keyboard.press("Tab")
        shown = page.evaluate(
            """() => {
                const el = document.activeElement;
                // Not :focus: the focus is on the browser's own part of a control (the date
                // field's calendar button), which draws its own ring.
                if (!el.matches(':focus')) return true;
                const style = getComputedStyle(el);
                return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
                    || style.boxShadow !== 'none';
            }"""
        )
        if not shown:
            unmarked.add(focused(page))
    assert unmarked == set()


def language_of(page):
    return page.locator("html").get_attribute("lang")


@pytest.mark.parametrize("language", ["en", "ru", "uk"])
def test_the_form_has_no_serious_accessibility_violations(make_page, server, screenshot, language):
    page = make_page(locale=language, extra_http_headers={"Accept-Language": language})
    page.goto(server.url + "/submit/")
    assert language_of(page) == language
    screenshot(page, "empty")
    assert run_axe(page) == []


def test_the_form_with_errors_has_no_serious_accessibility_violations(
    make_page, server, screenshot
):
    page = make_page(locale="en-GB")
    page.goto(server.url + "/submit/")
    # Sent empty, as a browser that does not check `required` fields would.
    page.locator("form.submission-form").evaluate("form => { form.noValidate = true; }")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("alert").first).to_contain_text("Nothing was sent yet.")
    screenshot(page, "errors")
    assert run_axe(page) == []
    # Each message is tied to its field, so a screen reader reads it with the field.
    for label, message in [
        ("What happened?", "Please tell us what happened."),
        (CONSENT, "Please tick the box."),
    ]:
        field = page.get_by_label(label)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(re.compile(re.escape(message)))


def test_the_receipt_and_status_pages_have_no_serious_accessibility_violations(
    make_page, server, screenshot
):
    page = make_page(locale="en-GB")
    page.goto(server.url + "/submit/")
    fill_minimal_report(page)
    page.get_by_role("button", name="Send report").click()
    code = receipt_code(page)
    assert run_axe(page) == []

    page.goto(server.url + "/submit/status/")
    assert run_axe(page) == []
    page.get_by_label("Receipt code").fill("WRONG-CODE")
    page.get_by_role("button", name="Show status").click()
    expect(page.get_by_role("alert")).to_contain_text("No report matches this code.")
    screenshot(page, "not-found")
    assert run_axe(page) == []

    page.get_by_label("Receipt code").fill(code)
    page.get_by_role("button", name="Show status").click()
    expect(page.get_by_role("heading", level=2).first).to_have_text(
        "Received. It is waiting for a moderator."
    )
    screenshot(page, "status")
    assert run_axe(page) == []
