import io
import json

import pytest
from django.core.management import call_command

from tracker.models import Case, CaseEvent, Source
from tracker.seeds import read_seeds

pytestmark = pytest.mark.django_db


def load(**options):
    out = io.StringIO()
    call_command("load_seeds", stdout=out, **options)
    return out.getvalue()


def snapshot():
    # rewrite(False): every column as stored, each language's version included
    # (modeltranslation's values() would give the translated fields in one language).
    return (
        list(Case.objects.rewrite(False).values().order_by("pk")),
        list(Source.objects.values().order_by("pk")),
        list(CaseEvent.objects.rewrite(False).values().order_by("pk")),
        list(Case.related_cases.through.objects.values_list("from_case", "to_case").order_by("pk")),
    )


def test_load_seeds_publishes_every_seed_case():
    seeds = read_seeds()
    output = load()
    assert f"{len(seeds)} created, 0 updated, 0 unchanged" in output
    assert Case.objects.public().count() == len(seeds)


def test_running_load_seeds_twice_changes_nothing():
    load()
    before = snapshot()
    output = load()
    assert "0 created, 0 updated" in output
    assert snapshot() == before


def test_every_seed_case_has_a_source_and_a_summary_in_own_words():
    load()
    for case in Case.objects.public():
        assert case.sources.exists(), case.seed_id
        assert len(case.summary) > 40, case.seed_id


def test_seed_ids_are_unique_and_related_ids_exist():
    seeds = read_seeds()
    ids = [seed["seed_id"] for seed in seeds]
    assert len(ids) == len(set(ids))
    for seed in seeds:
        assert set(seed["related"]) <= set(ids), seed["seed_id"]


def test_an_edited_seed_file_updates_only_that_case(tmp_path):
    load()
    seeds = read_seeds()
    seeds[0]["title"] = "A corrected title"
    seeds[0]["sources"].append({"outlet": "Another outlet", "published_on": None})
    edited = tmp_path / "cases.json"
    edited.write_text(json.dumps(seeds), encoding="utf-8")
    output = load(file=str(edited))
    assert "0 created, 1 updated" in output
    case = Case.objects.get(seed_id=seeds[0]["seed_id"])
    assert case.title == "A corrected title"
    assert case.sources.filter(outlet="Another outlet").exists()


def test_the_seed_cases_appear_in_the_public_listing(client):
    load()
    response = client.get("/cases/", {"region": "RU-KB"})
    assert response.status_code == 200
    kbr = Case.objects.get(seed_id="kbr-rosgvardia-3723-dismissed")
    assert kbr.title in response.content.decode()


def test_a_source_without_a_link_says_where_it_is_cited_from():
    for seed in read_seeds():
        for source in seed["sources"]:
            assert source["url"] or source["cited_in"], (seed["seed_id"], source["outlet"])


def test_the_seed_cases_keep_what_the_documents_say():
    load()
    plastun = Case.objects.get(seed_id="krasnodar-omon-plastun-dismissed")
    # Nine withdrew their lawsuit, not their refusal.
    assert "lawsuit_withdrawn" in plastun.outcomes
    assert "pressured_withdraw" not in plastun.outcomes
    assert "according to Agora's Pavel Chikov" in plastun.summary
    steps = list(plastun.events.filter(result__gt="").values_list("result", "claimants"))
    assert steps == [("withdrawn", 9), ("pending", 3)]
    # "Several hundred" is a word in the document, not a number.
    decree = Case.objects.get(seed_id="army-base-decree-march-4-dismissals")
    assert (decree.people_qualifier, decree.people_display()) == ("hundreds", "several hundred")
    # The desertion threat is an article too.
    pskov = Case.objects.get(seed_id="pskov-60-contract-soldiers-refused")
    assert pskov.legal_articles == "332, 338"
    # A source dated to the month by its document is not given a day.
    wsj = Source.objects.filter(outlet="The Wall Street Journal").first()
    assert wsj.published_on_precision == "month" and str(wsj).endswith("2022-05")
    # A mixed group keeps its other status.
    marines = Case.objects.get(seed_id="crimea-marines-80-refused-kherson")
    assert (marines.service_status, marines.other_service_statuses) == ("conscript", ["contract"])


def test_possible_duplicates_are_flagged_both_ways_and_not_merged():
    load()
    yurga = Case.objects.get(seed_id="kemerovo-yurga-21005-pressured-to-stay")
    battalions = Case.objects.get(seed_id="central-district-battalions-decline-redeployment")
    assert list(yurga.possible_duplicates.all()) == [battalions]
    assert list(battalions.possible_duplicates.all()) == [yurga]
    assert battalions not in yurga.related_cases.all()
