"""The moderator's workbench in Russian, in a real browser (issue 12, points 1, 2, 4, 5):
edit a case and save it unchanged (its dates survive: they were once rendered as
dd.mm.yyyy inside <input type="date">, which the browser shows empty), publish a report
(empty title and summary, the report beside them, a verbatim summary refused with the
reason), merge a report into a case found by search with a preview and a confirmation page,
retract a case; and two moderators editing one case, the second getting the stale page
that keeps what they typed."""

import json
import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import translated

pytestmark = pytest.mark.e2e

RUSSIAN = {"locale": "ru-RU", "extra_http_headers": {"Accept-Language": "ru"}}


def ru(text):
    return translated(text, "ru")


def ru_pattern(text):
    """A translated message with %(name)s placeholders, as a regular expression."""
    parts = re.split(r"%\(\w+\)[sd]", ru(text))
    return re.compile(".+?".join(re.escape(part) for part in parts))


# Made on the server's database: two reports with a verified source each (the public form
# and the source checks are the other journey's), and a published case with two dates, in
# a region of the test's own.
SETUP = """
import datetime, json
from django.utils import timezone
from submissions import receipts
from submissions.models import Submission, SubmissionSource
from tracker.models import Case, Region

tag = "{tag}"
region = Region.objects.get(code="{region}")
def report(text, unit, date=None):
    submission = Submission.objects.create(
        receipt_hash=receipts.code_hash(receipts.new_code()), language="ru",
        what_happened=text, unit=unit, home_region=region, relation="relative",
        event_date=date, event_date_precision="day" if date else "unknown",
        people_count=12, people_qualifier="exact", refusal_kind="refused_deploy",
        consent_to_publish=True,
    )
    SubmissionSource.objects.create(
        submission=submission, url=f"https://example.org/{{tag}}/{{submission.pk}}",
        outlet=f"Outlet {{tag}} {{submission.pk}}", reachable=True, supports_report=True,
        independent=True, verified_at=timezone.now(),
    )
    return submission.pk
case = Case.objects.create(
    original_language="ru",
    title_ru=f"Контрактники в/ч 7{tag} отказались ехать под Купянск",
    summary_ru=(
        "По данным источника, двенадцать военнослужащих по контракту не поехали под Купянск."
    ),
    status="published", published_at=timezone.now(), confidence="reported",
    event_date=datetime.date(2022, 2, 28), event_date_precision="day",
    first_reported_on=datetime.date(2022, 3, 1), unit=f"в/ч 7{tag}", home_region=region,
    people_count=12, people_qualifier="exact", refusal_kind="refused_deploy",
    location_country="ua",
)
print(json.dumps({{
    "case": case.pk,
    "publish": report(
        "Мой брат служит по контракту. В марте их роту из двенадцати человек хотели "
        "отправить под Купянск, все двенадцать отказались, командир кричал на них.", f"часть {tag}",
        datetime.date(2024, 3, 15),
    ),
    "merge": report(
        "Сын рассказал, что в части 7{tag} двенадцать контрактников отказались ехать под "
        "Купянск, теперь им грозят уголовным делом.", f"в/ч 7{tag}"
    ),
}}))
"""


def set_up(server, tag, region):
    """The ids SETUP made (the shell prints other lines before its last). Each test uses a
    region of its own that no seed case has, so that the other browser tests' counts per
    region (the map of /stats/, cached for minutes) do not change under them."""
    output = server.manage("shell", "-c", SETUP.format(tag=tag, region=region)).stdout
    return json.loads(output.strip().splitlines()[-1])


def log_in_ru(page, server, moderator):
    page.goto(server.url + "/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.get_by_label(ru("Username")).fill(moderator.username)
    page.get_by_label(ru("Password")).fill(moderator.password)
    page.get_by_label(ru("Code from your authenticator app")).fill(moderator.code())
    page.get_by_role("button", name=ru("Log in")).click()
    expect(page.get_by_role("heading", name=ru("Review queue"))).to_be_visible()


def edit_case_unchanged_then_changed(page, server, step, case):
    page.goto(f"{server.url}/moderation/cases/{case}/edit/")
    event_date = page.locator("input[name=event_date]")
    first_reported = page.locator("input[name=first_reported_on]")
    # The browser shows the dates: the inputs hold ISO values, whatever the language.
    expect(event_date).to_have_value("2022-02-28")
    expect(first_reported).to_have_value("2022-03-01")
    step(page, "01-edit-form")
    page.get_by_role("button", name=ru("Save"), exact=True).click()
    expect(page.get_by_text(ru("Nothing was changed."))).to_be_visible()
    expect(event_date).to_have_value("2022-02-28")
    expect(first_reported).to_have_value("2022-03-01")

    # The case was written in Russian: the note too (each language has its field).
    page.locator("input[name=correction_note_ru]").fill("Уточнено число людей.")
    page.locator("input[name=people_count]").fill("13")
    page.get_by_role("button", name=ru("Save"), exact=True).click()
    expect(page.get_by_text(ru("Case #%(id)s saved.") % {"id": case})).to_be_visible()
    expect(event_date).to_have_value("2022-02-28")
    expect(first_reported).to_have_value("2022-03-01")
    step(page, "02-edit-saved")


def claim(page, server, pk):
    page.goto(f"{server.url}/moderation/{pk}/")
    page.get_by_role("button", name=ru("Claim"), exact=True).click()
    expect(
        page.get_by_text(ru("You are reviewing submission #%(id)s.") % {"id": pk})
    ).to_be_visible()


def publish_report(page, server, step, pk, tag):
    claim(page, server, pk)
    page.get_by_role("link", name=ru("Publish as a new case…")).click()
    title, summary = page.locator("input[name=title_ru]"), page.locator("textarea[name=summary_ru]")
    expect(title).to_have_value("")
    expect(summary).to_have_value("")
    report = page.locator(".report-text")
    expect(report).to_contain_text("Мой брат служит по контракту")
    expect(report.locator("[dir=auto]")).to_have_count(1)
    step(page, "03-publish-form")

    verbatim = (
        "В марте их роту из двенадцати человек хотели отправить под Купянск, все "
        "двенадцать отказались."
    )
    title.fill(f"Рота контрактников {tag} отказалась ехать под Купянск")
    summary.fill(verbatim)
    page.get_by_role("button", name=ru("Publish"), exact=True).click()
    refusal = ru_pattern(
        "This repeats %(count)d words of the report word for word (“%(words)s”). Write it in "
        "the project's own neutral words: a report is never published as written."
    )
    expect(page.get_by_text(refusal)).to_be_visible()
    expect(summary).to_have_value(verbatim)  # what was typed is kept
    step(page, "04-publish-verbatim-refused")

    summary.fill(
        "По словам родственника, двенадцать военнослужащих по контракту в марте 2024 года "
        "отказались от отправки в район Купянска."
    )
    page.get_by_role("button", name=ru("Publish"), exact=True).click()
    expect(page.get_by_text(ru_pattern("Published as case #%(id)s: %(title)s"))).to_be_visible()
    step(page, "05-published")


def merge_report(page, server, step, pk, case, tag):
    claim(page, server, pk)
    # Point 5: the case is among the possible duplicates of this undated report, with its
    # date, region and the reasons of the match.
    candidate = page.locator(".duplicate-candidate").filter(has_text=f"7{tag}").first
    expect(candidate).to_contain_text(ru("same unit number"))
    expect(candidate).to_contain_text("Республика Коми")
    step(page, "06-duplicates")

    page.get_by_role("link", name=ru("Merge into an existing case…")).click()
    page.get_by_label(ru("Words of its title, summary, unit or place, or its number")).fill(
        f"7{tag}"
    )
    page.get_by_role("button", name=ru("Search"), exact=True).click()
    found = page.locator(".found-cases li").filter(has_text=f"7{tag}")
    expect(found).to_have_count(1)
    found.get_by_role("link", name=ru("Choose this case")).click()
    expect(page.get_by_role("heading", name=ru("Merging into"))).to_be_visible()
    expect(page.locator("#id_case")).to_have_value(str(case))
    step(page, "07-merge-chosen")

    page.get_by_role("button", name=ru("Review the merge…")).click()
    expect(
        page.get_by_role("heading", name=ru("Merge submission into case #%(id)s?") % {"id": case})
    ).to_be_visible()
    expect(page.locator(".merge-plan")).to_contain_text(f"Outlet {tag} {pk}")
    step(page, "08-merge-confirm")
    page.get_by_role("button", name=ru("Merge"), exact=True).click()
    expect(page.get_by_text(ru("Merged into case #%(id)s.") % {"id": case})).to_be_visible()


def retract(page, server, step, case):
    page.goto(f"{server.url}/moderation/cases/{case}/retract/")
    page.get_by_label(ru("Why the case is withdrawn")).fill("Источник отозвал публикацию.")
    page.get_by_role("button", name=ru("Withdraw the case")).click()
    expect(page.get_by_text(ru("Case #%(id)s was withdrawn.") % {"id": case})).to_be_visible()
    expect(page.get_by_text("Источник отозвал публикацию.")).to_be_visible()
    step(page, "09-retracted")


def test_a_moderator_edits_publishes_merges_and_retracts_in_russian(
    make_page, make_moderator, server, screenshot
):
    tag = uuid.uuid4().hex[:6]
    tag = str(int(tag, 16) % 100000).zfill(5)  # digits: part of a unit number
    made = set_up(server, tag, "RU-KO")
    page = make_page(viewport={"width": 1280, "height": 900}, **RUSSIAN)
    log_in_ru(page, server, make_moderator(f"moderator-ru-{tag}"))

    edit_case_unchanged_then_changed(page, server, screenshot, made["case"])
    publish_report(page, server, screenshot, made["publish"], tag)
    merge_report(page, server, screenshot, made["merge"], made["case"], tag)
    retract(page, server, screenshot, made["case"])


def test_the_second_of_two_moderators_gets_the_stale_page_with_their_text_kept(
    make_page, make_moderator, server, screenshot
):
    tag = str(uuid.uuid4().int % 100000).zfill(5)
    case = set_up(server, tag, "RU-ARK")["case"]
    first = make_page(**RUSSIAN)
    second = make_page(**RUSSIAN)
    log_in_ru(first, server, make_moderator(f"first-{tag}"))
    log_in_ru(second, server, make_moderator(f"second-{tag}"))
    url = f"{server.url}/moderation/cases/{case}/edit/"
    first.goto(url)
    second.goto(url)

    new_title = f"Двенадцать контрактников в/ч 7{tag} не поехали под Купянск"
    first.locator("input[name=title_ru]").fill(new_title)
    first.get_by_role("button", name=ru("Save"), exact=True).click()
    expect(first.get_by_text(ru("Case #%(id)s saved.") % {"id": case})).to_be_visible()

    typed = "Сводка второго модератора: военнослужащие отказались, источник — родственник."
    second.locator("textarea[name=summary_ru]").fill(typed)
    second.get_by_role("button", name=ru("Save"), exact=True).click()

    expect(
        second.get_by_role("heading", name=ru("Changed since you opened this form"))
    ).to_be_visible()
    expect(second.locator(".changed-meanwhile")).to_contain_text(new_title)
    expect(second.locator("textarea[name=summary_ru]")).to_have_value(typed)
    expect(second.locator("input[name=title_ru]")).to_have_value(new_title)
    expect(second.locator("input[name=event_date]")).to_have_value("2022-02-28")
    screenshot(second, "stale-page")

    second.get_by_role("button", name=ru("Save"), exact=True).click()
    expect(second.get_by_text(ru("Case #%(id)s saved.") % {"id": case})).to_be_visible()
    expect(second.locator("input[name=title_ru]")).to_have_value(new_title)
    expect(second.locator("textarea[name=summary_ru]")).to_have_value(typed)
