"""The whole journey of one report, in a real browser: a Russian-speaking visitor sends it,
a moderator logs in with a password and a code, checks the sources and publishes it, the
case is found and exported from the public listing, and the visitor reads the outcome with
the receipt code. Once on a desktop screen and once on a phone."""

import csv
import io
import re
import uuid

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import RECEIPT_CODE, log_in, photo_with_location, translated

pytestmark = pytest.mark.e2e

SCREENS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
}
CONSENT = (
    "I agree that a summary in the project's own words may be published, without my name or "
    "contact."
)
REGION = "Пермский край"  # region names come from the database, in each language


def ru(text):
    return translated(text, "ru")


def visitor(make_page, screen):
    return make_page(
        locale="ru-RU", extra_http_headers={"Accept-Language": "ru"}, **SCREENS[screen]
    )


def send_report(page, server, step, *, unit, word, photo):
    page.goto(server.url + "/submit/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    heading = ru("Report a refusal to fight")
    assert heading != "Report a refusal to fight"
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    step(page, "01-form")

    page.get_by_label(ru("What happened?")).fill(
        f"В марте 2024 года двенадцать контрактников части {unit} отказались ехать под "
        f"Купянск. Командир угрожал им уголовным делом, их держали в подвале ({word})."
    )
    page.get_by_label(ru("When did it happen?")).fill("2024-03-15")
    page.get_by_label(ru("How exact is this date?")).select_option(label=ru("exact day"))
    page.get_by_label(ru("Home region of the unit or of the people")).select_option(label=REGION)
    page.get_by_label(ru("Unit"), exact=True).fill(unit)
    page.get_by_label(ru("How many people refused?")).fill("12")
    page.get_by_label(ru("What kind of refusal?")).select_option(label=ru("refused to deploy"))
    for number, (url, outlet) in enumerate(
        [
            ("https://example.org/news/kupyansk-refusal", "Медиазона"),
            ("https://t.me/example_channel/4821", "Телеграм-канал «Пример»"),
        ],
        start=1,
    ):
        row = page.get_by_role("group", name=ru("Source %(number)s") % {"number": number})
        row.get_by_label(ru("Link")).fill(url)
        row.get_by_label(ru("Outlet or channel")).fill(outlet)
        row.get_by_label(ru("Published on")).fill("2024-03-20")
    page.get_by_label(ru("Photos or documents")).set_input_files(photo)
    page.get_by_label(ru("a relative or friend")).check()
    page.get_by_label(ru(CONSENT)).check()
    step(page, "02-filled")

    page.get_by_role("button", name=ru("Send report")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        ru("Thank you. Your report was received.")
    )
    step(page, "03-receipt")
    code = page.locator(".receipt-code").inner_text().strip()
    assert re.fullmatch(RECEIPT_CODE, code), code
    return code


def review_and_publish(page, server, step, *, unit, title, word):
    page.goto(server.url + "/moderation/")
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=unit)
    expect(row).to_contain_text("Russian")
    expect(row).to_contain_text("2 / 1")  # two sources, one photo
    step(page, "05-queue")
    row.get_by_role("button", name="Claim").click()

    expect(page.get_by_text("You are reviewing submission")).to_be_visible()
    sources = page.locator("article.source-check")
    expect(sources).to_have_count(2)
    for index in range(2):
        source = sources.nth(index)
        source.get_by_label("Reachable?").select_option(label="yes")
        source.get_by_label("Does it say what the report says?").select_option(label="yes")
        source.get_by_label("Independent of the other sources?").select_option(label="yes")
        source.get_by_role("button", name="Save check").click()
        expect(page.get_by_text("Source checked.")).to_be_visible()
        expect(page.locator("article.source-check").nth(index)).to_contain_text("Verified.")
    step(page, "06-review")

    photo_url = page.get_by_role("img", name=re.compile("Attachment")).get_attribute("src")
    stored = Image.open(io.BytesIO(page.request.get(server.url + photo_url).body()))
    assert 0x8825 not in stored.getexif(), "the stored photo still says where it was taken"

    page.get_by_role("link", name="Publish as a new case…").click()
    # The report came in Russian: the case is written in Russian first, the original
    # language the form starts with; the other languages can follow.
    expect(page.get_by_label("Original language")).to_have_value("ru")
    page.get_by_label("Title (Russian)").fill(title)
    # The report is shown beside the form; the summary is the moderator's own words.
    expect(page.locator(".report-text")).to_contain_text("Купянск")
    expect(page.get_by_label("Summary (Russian)")).to_have_value("")
    page.get_by_label("Summary (Russian)").fill(
        f"Двенадцать военнослужащих по контракту из части {unit} не поехали в район "
        f"Купянска; по словам источника, им грозили уголовным преследованием ({word})."
    )
    step(page, "07-publish-form")
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("Published as case #")).to_contain_text(title)
    step(page, "08-published")


def open_filters(page):
    """On a phone the filters are folded under their one-line summary: tap it."""
    if not page.locator(".filter-panel form").is_visible():
        page.locator(".filter-panel > summary").click()


def find_and_export(page, server, step, *, title, word):
    page.goto(server.url + "/cases/")
    open_filters(page)
    region = page.get_by_label(ru("Home region"), exact=True)
    # The option says how many cases the region has: "Пермский край — 1".
    label = region.locator("option", has_text=REGION).first.inner_text()
    assert label.startswith(f"{REGION} — ")
    region.select_option(label=label)
    page.get_by_role("button", name=ru("Apply")).click()
    expect(page.get_by_role("link", name=title)).to_be_visible()
    step(page, "09-listing-by-region")

    open_filters(page)
    page.get_by_role("link", name=ru("Clear")).click()
    open_filters(page)
    page.get_by_label(ru("Search")).fill(word)
    page.get_by_role("button", name=ru("Apply")).click()
    expect(page.get_by_role("link", name=title)).to_be_visible()
    expect(page.locator(".case-title")).to_have_count(1)
    step(page, "10-listing-by-search")

    with page.expect_download() as download:
        page.get_by_role("link", name=ru("CSV (spreadsheet)")).click()
    assert download.value.suggested_filename.endswith(".csv")
    with open(download.value.path(), encoding="utf-8-sig", newline="") as exported:
        rows = list(csv.DictReader(exported))
    assert [(row["original_language"], row["title_ru"]) for row in rows] == [("ru", title)]


def read_status(page, server, step, code):
    page.goto(server.url + "/submit/status/")
    page.get_by_label(ru("Receipt code")).fill(code)
    page.get_by_role("button", name=ru("Show status")).click()
    expect(page.get_by_role("heading", level=2).first).to_have_text(
        ru("Your report was published as a case.")
    )
    expect(page.get_by_role("link", name=ru("Read the published case"))).to_be_visible()
    step(page, "11-status")


@pytest.mark.parametrize("screen", SCREENS)
def test_a_report_in_russian_goes_from_the_form_to_the_public_listing_and_back(
    make_page, make_moderator, server, screenshot, tmp_path, screen
):
    def step(page, name):
        screenshot(page, name)
        if screen == "phone":
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"{name}: the page is {width}px wide on a 360px screen"

    tag = uuid.uuid4().hex[:6]
    unit = f"в/ч {tag}"
    word = f"подвал{tag}"  # one word only this case contains
    title = f"Двенадцать контрактников в/ч {tag} отказались ехать под Купянск"

    page = visitor(make_page, screen)
    photo = photo_with_location(tmp_path / "photo.jpg")
    code = send_report(page, server, step, unit=unit, word=word, photo=photo)

    moderator = make_moderator(f"moderator-{screen}-{tag}")
    desk = make_page(locale="en-GB", **SCREENS[screen])
    log_in(desk, server, moderator)
    expect(desk.get_by_role("heading", name="Review queue")).to_be_visible()
    step(desk, "04-logged-in")
    review_and_publish(desk, server, step, unit=unit, title=title, word=word)

    find_and_export(page, server, step, title=title, word=word)
    read_status(page, server, step, code)
