"""The listing on a phone: active filters as chips, counts beside the filter values, and
what to try when nothing matches."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import make_case, run_queued_tasks
from tests.helpers import listed_titles
from tracker import cache as public_cache
from tracker import facets
from tracker.models import Case

pytestmark = pytest.mark.django_db

LIST_URL = reverse("tracker:case_list")


def option(response, name, value):
    """The text of one option of one filter, as the reader sees it."""
    content = response.content.decode()
    select = re.search(rf'<select[^>]* name="{name}"[^>]*>.*?</select>', content, re.S)[0]
    return html.unescape(re.search(rf'<option value="{value}"[^>]*>(.*?)</option>', select)[1])


def chips(response):
    content = response.content.decode()
    return [
        (html.unescape(href), re.sub(r"<[^>]+>", "", html.unescape(text)).strip())
        for href, text in re.findall(r'<a class="chip" href="([^"]*)"[^>]*>(.*?)</a>', content)
    ]


@pytest.fixture
def three_cases(region, other_region):
    return [
        make_case(title="KB deploy", home_region=region),
        make_case(title="KB left", home_region=region, refusal_kind=Case.RefusalKind.LEFT_UNIT),
        make_case(
            title="Pskov left",
            home_region=other_region,
            refusal_kind=Case.RefusalKind.LEFT_UNIT,
            confidence=Case.Confidence.CONFIRMED,
        ),
    ]


def test_without_filters_each_value_shows_how_many_cases_it_has(client, three_cases):
    response = client.get(LIST_URL)
    assert option(response, "region", "RU-KB").endswith(" — 2")
    assert option(response, "region", "RU-PSK").endswith(" — 1")
    assert option(response, "region", "RU-MOW").endswith(" — 0")
    assert option(response, "kind", "left_unit").endswith(" — 2")
    assert option(response, "outcome", "dismissed").endswith(" — 3")
    assert option(response, "force", "rosgvardia").endswith(" — 3")
    assert option(response, "confidence", "confirmed").endswith(" — 1")


def test_a_value_counts_under_the_other_filters_but_not_its_own(client, three_cases):
    response = client.get(LIST_URL, {"region": "RU-KB"})
    # Another region is counted as if chosen instead, not together with RU-KB.
    assert option(response, "region", "RU-PSK").endswith(" — 1")
    # The other filters count within RU-KB.
    assert option(response, "kind", "left_unit").endswith(" — 1")
    assert option(response, "kind", "refused_deploy").endswith(" — 1")
    assert option(response, "confidence", "confirmed").endswith(" — 0")

    response = client.get(LIST_URL, {"region": "RU-KB", "kind": "left_unit"})
    assert option(response, "region", "RU-PSK").endswith(" — 1")
    assert option(response, "kind", "refused_deploy").endswith(" — 1")
    assert listed_titles(response) == ["KB left"]


def test_the_counts_change_as_soon_as_a_case_is_published(client, three_cases, other_region):
    assert option(client.get(LIST_URL), "region", "RU-PSK").endswith(" — 1")
    make_case(title="Pskov again", home_region=other_region)
    assert option(client.get(LIST_URL), "region", "RU-PSK").endswith(" — 2")


def test_counts_under_other_filters_stop_where_the_listing_passes_its_cap(
    client, three_cases, monkeypatch
):
    monkeypatch.setattr(facets, "COUNT_CAP", 1)
    monkeypatch.setattr(facets, "GATE", "(SELECT n FROM listing_total) <= 1")
    response = client.get(LIST_URL, {"kind": "left_unit"})
    # Two cases match: past the cap, the other filters show no numbers ...
    assert option(response, "region", "RU-PSK") == "Pskov oblast"
    assert "Numbers appear beside the other choices" in response.content.decode()
    # ... and the filter's own values still count over every case.
    assert option(response, "kind", "refused_deploy").endswith(" — 1")


def test_each_active_filter_is_a_chip_that_removes_only_itself(client, three_cases):
    response = client.get(LIST_URL, {"region": "RU-KB", "kind": "left_unit", "page": "1"})
    found = {text: href for href, text in chips(response)}
    remove_region = found["Remove the filter Home region: Kabardino-Balkar Republic ×"]
    assert remove_region == f"{LIST_URL}?kind=left_unit"
    assert listed_titles(client.get(remove_region)) == ["Pskov left", "KB left"]
    assert f'<a class="chip chip-clear" href="{LIST_URL}">Remove all filters</a>' in (
        response.content.decode()
    )


def test_the_folded_filter_panel_says_what_is_active(client, three_cases):
    content = client.get(LIST_URL, {"confidence": "confirmed"}).content.decode()
    summary = re.search(r"<summary>(.*?)</summary>", content, re.S)[1]
    assert "Confidence: confirmed" in summary
    assert '<details class="filter-panel">' in content  # folded: the results come first


def test_a_filter_that_could_not_be_understood_opens_the_panel(client, three_cases):
    content = client.get(LIST_URL, {"kind": "nonsense"}).content.decode()
    assert '<details class="filter-panel" open>' in content


def test_empty_results_say_what_to_change(client, three_cases):
    response = client.get(LIST_URL, {"q": "zzzqqq", "date_from": "2030-01-01"})
    text = html.unescape(response.content.decode())
    assert "No published case matches these filters." in text
    assert "check the spelling of the search" in text
    assert "widen the dates" in text
    assert {text for _href, text in chips(response)} >= {
        "Remove the filter Search: zzzqqq ×",
        "Remove the filter Refusal from: Jan. 1, 2030 ×",
    }


def test_the_chips_and_counts_are_in_russian_for_a_russian_reader(client, three_cases):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    response = client.get(LIST_URL, {"region": "RU-KB"})
    texts = [text for _href, text in chips(response)]
    assert texts == ["Убрать фильтр Регион происхождения: Кабардино-Балкарская Республика ×"]
    assert option(response, "region", "RU-PSK") == "Псковская область — 1"


def test_counts_over_every_case_are_complete_whichever_page_computed_them(client, three_cases):
    # The first page after a change has a filter: it still computes every filter's counts
    # over all cases for the pages that follow.
    client.get(LIST_URL, {"kind": "left_unit"})
    response = client.get(LIST_URL)
    assert option(response, "region", "RU-KB").endswith(" — 2")
    assert option(response, "kind", "left_unit").endswith(" — 2")
    assert option(response, "outcome", "dismissed").endswith(" — 3")


def test_after_a_change_readers_keep_the_last_counts_while_a_task_counts_again(
    client, three_cases, other_region, large_record
):
    assert option(client.get(LIST_URL), "region", "RU-PSK").endswith(" — 1")
    make_case(title="Pskov again", home_region=other_region)
    # Two readers after the change: neither waits for the counts over every case (no
    # GROUP BY over all of them in their request); one refresh is asked for, not two.
    for query in ({}, {"page": "1"}):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST_URL, query)
        assert not any("all_region" in query["sql"] for query in queries.captured_queries)
        assert option(response, "region", "RU-PSK").endswith(" — 1")
        # The listing itself is exact at once.
        assert "Pskov again" in listed_titles(response)
    assert [(result.task.name, result.args) for result in large_record.results] == [
        ("refresh_aggregate", [facets.GLOBAL_COUNTS])
    ]

    run_queued_tasks(large_record)
    assert option(client.get(LIST_URL), "region", "RU-PSK").endswith(" — 2")


def test_a_reader_counts_by_itself_when_no_worker_delivered_in_time(
    client, three_cases, other_region, large_record, monkeypatch
):
    client.get(LIST_URL)
    make_case(title="Pskov again", home_region=other_region)
    monkeypatch.setattr(public_cache, "REFRESH_GRACE_SECONDS", -1)
    assert option(client.get(LIST_URL), "region", "RU-PSK").endswith(" — 2")


def test_a_small_record_counts_again_in_the_first_request_after_a_change(
    client, three_cases, other_region, large_record, monkeypatch
):
    client.get(LIST_URL)
    make_case(title="Pskov again", home_region=other_region)
    monkeypatch.setattr(public_cache, "INLINE_MAX_CASES", 4)
    assert option(client.get(LIST_URL), "region", "RU-PSK").endswith(" — 2")
    assert large_record.results == []
