"""What readers and data users see of preservation: the SHA-256, capture date and link
status per source on the case page, in the JSON export and the API (with constant query
counts), the data dictionary, and the archived copy itself only when the setting allows."""

import datetime
import hashlib
import json

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tests.conftest import make_case
from tracker.models import Case
from tracker.preservation.models import SourceSnapshot, SourceStatus

pytestmark = pytest.mark.django_db

BODY = b"<html><body><p>An article</p><script>alert(1)</script></body></html>"
SHA = hashlib.sha256(BODY).hexdigest()
CAPTURED_AT = datetime.datetime(2026, 3, 14, 9, 30, tzinfo=datetime.UTC)
CHECKED_AT = datetime.datetime(2026, 11, 20, 6, 0, tzinfo=datetime.UTC)


def preserve(source, *, link_status=SourceStatus.Link.OFFLINE):
    snapshot = SourceSnapshot(
        source=source,
        outcome=SourceSnapshot.Outcome.CAPTURED,
        requested_url=source.url,
        final_url=source.url,
        status_code=200,
        content_type="text/html; charset=utf-8",
        size=len(BODY),
        sha256=SHA,
        text="An article",
        fetched_at=CAPTURED_AT,
    )
    snapshot.content.save("snapshot", ContentFile(BODY), save=False)
    snapshot.save()
    SourceStatus.objects.create(
        source=source,
        snapshot=snapshot,
        link_status=link_status,
        link_checked_at=CHECKED_AT,
        offline_since=CHECKED_AT if link_status != "online" else None,
    )
    return snapshot


def preserved_cases(count, region):
    cases = []
    for number in range(count):
        case = make_case(
            title=f"Case {number}",
            home_region=region,
            sources=[
                {"outlet": "Mediazona", "url": f"https://zona.media/news/{number}"},
                {"outlet": "Meduza", "url": f"https://meduza.io/news/{number}"},
            ],
        )
        for source in case.sources.all():
            preserve(source)
        cases.append(case)
    return cases


def test_the_case_page_shows_hash_capture_date_and_link_status(client, region):
    (case,) = preserved_cases(1, region)

    content = client.get(case.get_absolute_url()).content.decode()

    assert content.count(SHA) == 2
    assert content.count("Offline since Nov. 20, 2026") == 2
    assert "Archived copy captured on March 14, 2026, SHA-256:" in content
    # The copy itself is not published by default.
    assert "/archived/" not in content


def test_the_case_page_in_russian(client, region):
    (case,) = preserved_cases(1, region)

    content = client.get(case.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "Недоступна с 20 ноября 2026" in content
    assert "Архивная копия сохранена 14 марта 2026" in content


def test_a_source_never_archived_or_checked_shows_nothing_more(client, region):
    case = make_case(sources=[{"outlet": "Mediazona", "url": "https://zona.media/x"}])
    content = client.get(case.get_absolute_url()).content.decode()
    assert "SHA-256" not in content and "Offline" not in content


def test_the_archived_copy_is_public_only_when_the_setting_says_so(client, settings, region):
    (case,) = preserved_cases(1, region)
    source = case.sources.first()
    url = reverse("preservation:public_snapshot", args=[case.pk, source.pk])
    assert client.get(url).status_code == 404

    settings.SOURCE_SNAPSHOTS_PUBLIC = True
    assert url in client.get(case.get_absolute_url()).content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == BODY
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]

    case.status = Case.Status.RETRACTED
    case.retraction_reason = "Mistaken identity."
    case.save()
    assert client.get(url).status_code == 404


# --- open data ------------------------------------------------------------------------


def test_the_api_carries_the_preservation_of_each_source(client, region):
    (case,) = preserved_cases(1, region)
    unchecked = case.sources.create(outlet="New", url="https://example.org/new")

    data = client.get(reverse("api:case_detail", args=[case.pk])).json()

    by_url = {source["url"]: source for source in data["sources"]}
    preserved = by_url["https://zona.media/news/0"]
    assert preserved["snapshot_sha256"] == SHA
    assert preserved["snapshot_at"] == "2026-03-14T09:30:00Z"
    assert preserved["link_status"] == "offline"
    assert preserved["link_checked_at"] == "2026-11-20T06:00:00Z"
    assert {
        key: by_url[unchecked.url][key] for key in preserved if key.startswith(("snap", "link"))
    } == {
        "snapshot_sha256": None,
        "snapshot_at": None,
        "link_status": "unchecked",
        "link_checked_at": None,
    }


def test_the_json_export_carries_the_preservation_of_each_source(client, region):
    preserved_cases(1, region)

    response = client.get(reverse("tracker:case_export_json"))

    data = json.loads(b"".join(response.streaming_content))
    source = data["cases"][0]["sources"][0]
    assert (source["snapshot_sha256"], source["snapshot_at"]) == (SHA, "2026-03-14T09:30:00Z")
    assert (source["link_status"], source["link_checked_at"]) == (
        "offline",
        "2026-11-20T06:00:00Z",
    )


@pytest.mark.parametrize("count", [1, 12])
def test_preservation_adds_no_query_to_the_data_and_the_case_page(
    client, django_assert_max_num_queries, region, count
):
    cases = preserved_cases(count, region)
    with django_assert_max_num_queries(5):
        assert client.get(reverse("api:case_list")).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("api:case_detail", args=[cases[0].pk])).status_code == 200
    # Cases, outcomes, sources (with their preservation) and legal steps.
    with django_assert_max_num_queries(5):
        b"".join(client.get(reverse("tracker:case_export_json")).streaming_content)
    with django_assert_max_num_queries(7):
        assert client.get(cases[0].get_absolute_url()).status_code == 200


def test_the_data_dictionary_explains_the_preservation_fields(client):
    content = client.get(reverse("tracker:data_dictionary")).content.decode()
    for name in ("snapshot_sha256", "snapshot_at", "link_status", "link_checked_at"):
        assert f'id="source-{name}"' in content
    assert "<code>offline</code>" in content
