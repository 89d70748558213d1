"""Each chart of /stats/ downloads as an SVG file with its title, filter and credit, and
long labels wrap instead of running off a phone's screen."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.conftest import make_case
from tracker.charts import LABEL_LINE_CHARS, bar_chart, wrap

pytestmark = pytest.mark.django_db

SVG_NS = "{http://www.w3.org/2000/svg}"


def download(client, chart_id, **params):
    return client.get(reverse("tracker:stats_chart_svg", args=[chart_id]), params)


def texts(svg):
    return ["".join(text.itertext()) for text in svg.iter(f"{SVG_NS}text")]


def test_a_chart_downloads_as_svg_with_its_filter_and_a_credit_line(client, published_case):
    response = download(client, "cases-by-force", region="RU-KB")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="cases-by-force.svg"'
    svg = ET.fromstring(response.content)  # noqa: S314 (our own file)
    lines = texts(svg)
    assert lines[0] == "Cases by force"
    assert lines[1] == "Filter: Home region: Kabardino-Balkar Republic"
    assert "Rosgvardiya: OMON" in lines
    assert any(
        line.startswith("Refusal Tracker · confirmed and reported cases as of") for line in lines
    )
    assert "http://testserver/stats/?region=RU-KB" in lines
    # Standalone: no stylesheet, no script, nothing from elsewhere.
    content = response.content.decode()
    assert "<style" not in content and "<script" not in content and " style=" not in content


def test_the_stats_page_links_each_chart_to_its_download_with_the_filter(client, published_case):
    content = client.get(reverse("tracker:stats"), {"confidence": "reported"}).content.decode()
    links = re.findall(r'<a href="(/stats/[a-z-]+\.svg[^"]*)" download', content)
    assert len(links) == 7
    assert "/stats/cases-by-kind.svg?confidence=reported" in links


def test_the_download_is_in_the_readers_language(client, published_case):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    svg = ET.fromstring(download(client, "cases-by-kind").content)  # noqa: S314
    lines = texts(svg)
    assert lines[1] == "Все случаи со статусом «подтверждено» или «сообщается»"
    assert lines[0] == "Случаи по видам отказа"


@pytest.mark.parametrize("chart_id", ["nonsense", "cases-by-force"])
def test_an_unknown_or_empty_chart_is_not_found(client, chart_id):
    assert download(client, chart_id).status_code == 404


def test_long_labels_wrap_between_words_and_push_the_next_row_down():
    label = "Вооружённые силы: прочие или неуточнённые подразделения"
    assert all(len(line) <= LABEL_LINE_CHARS for line in wrap(label))
    assert " ".join(wrap(label)) == label
    chart = bar_chart("x", "X", [(label, 3), ("short", 1)], label_heading="", value_heading="")
    first, second = chart.rows
    assert len(first.lines) == 2
    assert second.label_y - first.label_y == 36 + 16
    assert chart.height == 36 * 2 + 16


def test_every_force_label_fits_a_phone_in_russian(client):
    make_case(force="army_other")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    content = client.get(reverse("tracker:stats")).content.decode()
    for line in re.findall(r'<tspan x="0"[^>]*>(.*?)</tspan>', content):
        assert len(line) <= LABEL_LINE_CHARS, line
