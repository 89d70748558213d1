"""Possible duplicates on the review screen (issue 12, point 5): found by the text as well
as by unit, region and date, so an undated case or one told in other words is found; each
shown with its date, region and how sure the match is. On both databases: token overlap on
SQLite, trigram similarity on PostgreSQL."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from moderation.duplicates import find_cases, possible_duplicates, words
from tests.conftest import make_case, make_submission

pytestmark = pytest.mark.django_db

UNDATED = {"event_date": None, "event_date_precision": "unknown"}

REPORT = (
    "В марте 2024 года двенадцать контрактников отказались ехать под Купянск. "
    "Командир угрожал им уголовным делом, их держали в подвале под Валуйками."
)


def review(client, submission, language="en"):
    return client.get(
        reverse("moderation:review", args=[submission.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()


def candidate_line(content, title):
    """The text of the list item that names this candidate (tags removed)."""
    for item in re.findall(r'<li class="duplicate-candidate">(.*?)</li>', content, re.S):
        if title in item:
            return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item))
    return None


def test_words_are_normalised_and_keep_numbers():
    assert words("Ёлки, и ДЕСАНТНИКИ 3723-й части!") == {"елки", "десант", "3723", "части"}


def test_an_undated_case_is_found_by_its_text(moderator_client, region, other_region):
    submission = make_submission(
        what_happened=REPORT, unit="", home_region=region, event_date=datetime.date(2024, 3, 15)
    )
    undated = make_case(
        title="Контрактники отказались ехать под Купянск",
        summary="Двенадцать контрактников отказались ехать под Купянск; командир угрожал "
        "уголовным делом и держал их в подвале под Валуйками.",
        unit="",
        home_region=other_region,
        **UNDATED,
    )

    content = review(moderator_client, submission)

    line = candidate_line(content, undated.title)
    assert line is not None
    assert "date unknown" in line
    assert "similar text" in line
    assert other_region.name in line


def test_an_undated_report_finds_a_dated_case_of_the_same_unit(moderator_client, other_region):
    submission = make_submission(what_happened=REPORT, unit="в/ч 3723", **UNDATED)
    dated = make_case(
        title="Dated case of the unit",
        unit="military unit 3723",
        home_region=other_region,
        event_date=datetime.date(2022, 5, 1),
    )

    line = candidate_line(review(moderator_client, submission), dated.title)

    assert line is not None
    assert "same unit number" in line


def test_a_case_told_in_other_words_is_found_by_its_unit_number(moderator_client, other_region):
    submission = make_submission(
        what_happened="Мой брат служит в части 61424, их батальон отказался идти в штурм.",
        unit="",
        event_date=datetime.date(2023, 5, 10),
    )
    other_words = make_case(
        title="Servicemen of military unit 61424 refused an assault",
        summary="A battalion declined to take part in an attack near Avdiivka.",
        unit="military unit 61424",
        home_region=other_region,
        event_date=datetime.date(2023, 5, 20),
    )

    line = candidate_line(review(moderator_client, submission), other_words.title)

    assert line is not None
    assert "same unit number" in line
    assert "near date" in line
    assert "match: high" in line


def test_an_unrelated_case_is_not_listed(moderator_client, region, other_region):
    submission = make_submission(
        what_happened=REPORT, unit="в/ч 3723", home_region=region, **UNDATED
    )
    unrelated = make_case(
        title="Naval officer sued to end his contract",
        summary="A naval officer from the Baltic fleet sued to end his contract after a year.",
        unit="Baltic fleet",
        home_region=other_region,
        event_date=datetime.date(2024, 3, 15),
    )

    content = review(moderator_client, submission)

    assert unrelated.title not in content
    assert "None found with the same unit, region or similar text." in content


def test_a_same_unit_case_long_before_a_dated_report_is_left_out(moderator_client):
    submission = make_submission(unit="в/ч 3723", event_date=datetime.date(2023, 5, 10))
    long_before = make_case(
        title="Long before case", unit="military unit 3723", event_date=datetime.date(2021, 1, 1)
    )

    assert long_before.title not in review(moderator_client, submission)


def test_a_region_alone_is_a_low_confidence_match(moderator_client, region):
    submission = make_submission(what_happened=REPORT, unit="", home_region=region)
    same_region = make_case(title="Same region case", unit="", home_region=region, **UNDATED)

    line = candidate_line(review(moderator_client, submission), same_region.title)

    assert "match: low (same region)" in line


def test_the_candidates_are_explained_in_russian(moderator_client, region):
    submission = make_submission(
        what_happened=REPORT, unit="в/ч 3723", home_region=region, **UNDATED
    )
    make_case(title="Случай той же части", unit="в/ч 3723", home_region=region, **UNDATED)

    line = candidate_line(review(moderator_client, submission, "ru"), "Случай той же части")

    assert "дата неизвестна" in line
    assert "тот же номер части" in line
    assert "тот же регион" in line
    assert "совпадение: среднее" in line


def test_the_best_match_comes_first():
    submission = make_submission(what_happened=REPORT, unit="в/ч 3723", **UNDATED)
    weak = make_case(title="Weak", unit="military unit 3723", summary="Other words entirely.")
    strong = make_case(
        title="Strong",
        unit="военная часть 3723",
        summary="Двенадцать контрактников отказались ехать под Купянск, их держали в подвале.",
    )

    cases, _others = possible_duplicates(submission)

    assert [candidate.item for candidate in cases][:2] == [strong, weak]


def test_the_review_page_runs_as_many_queries_with_many_candidates(moderator_client, region):
    submission = make_submission(what_happened=REPORT, unit="в/ч 3723", home_region=region)
    make_case(title="One", unit="в/ч 3723", home_region=region, **UNDATED)
    make_submission(what_happened=REPORT, unit="в/ч 3723", home_region=region)
    url = reverse("moderation:review", args=[submission.pk])
    moderator_client.get(url)

    with CaptureQueriesContext(connection) as few:
        moderator_client.get(url)
    for number in range(11):
        make_case(title=f"Case {number}", unit="в/ч 3723", home_region=region, **UNDATED)
        make_submission(what_happened=REPORT, unit="в/ч 3723", home_region=region)
    with CaptureQueriesContext(connection) as many:
        content = moderator_client.get(url).content.decode()

    assert content.count('class="duplicate-candidate"') == 20  # ten of twelve of each
    assert len(many) == len(few)


@pytest.mark.postgres
def test_on_postgresql_trigram_similarity_finds_the_same_story_in_other_words(
    moderator_client, region, other_region
):
    submission = make_submission(
        what_happened=REPORT, unit="", home_region=region, event_date=datetime.date(2024, 3, 15)
    )
    similar = make_case(
        title="Двенадцать контрактников отказались ехать под Купянск",
        summary="Двенадцать военнослужащих по контракту не поехали под Купянск; командир "
        "угрожал им уголовным делом, их держали в подвале.",
        unit="",
        home_region=other_region,
        **UNDATED,
    )
    unrelated = make_case(
        title="Мобилизованные записали видеообращение",
        summary="Мобилизованные из Пермского края пожаловались в прокуратуру на отправку "
        "на штурм без подготовки.",
        unit="",
        home_region=other_region,
        event_date=datetime.date(2024, 3, 15),
    )

    cases, _others = possible_duplicates(submission)

    assert [candidate.item for candidate in cases] == [similar]
    assert [str(reason) for reason in cases[0].reasons] == ["similar text"]
    line = candidate_line(review(moderator_client, submission), similar.title)
    assert "similar text" in line
    assert unrelated.title not in review(moderator_client, submission)


def test_the_merge_search_finds_a_case_by_its_unit_number_and_by_its_own_number():
    by_unit = make_case(title="Unit case", unit="military unit 61424")
    other = make_case(title="Other case", unit="")

    assert find_cases("61424") == [by_unit]
    assert find_cases(f"#{other.pk}") == [other]
    assert find_cases(str(other.pk))[0] == other
