"""Read replicas (DATABASE_REPLICA_URLS): anonymous readers' public pages read the cases
from a replica; writes, transactions, moderators and pages right after a change use the
primary (tracker/replicas.py).

The replica here is the primary's own test database under a second connection (the
"replica" alias of tests/settings.py), so both have the same rows and each query can be
counted on the connection it went to.
"""

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from moderation import services as moderation
from tests.conftest import make_case, make_submission
from tracker.models import Case
from tracker.replicas import _replica

# Committed rows (the replica is another connection); the Moderators group is restored.
pytestmark = pytest.mark.django_db(
    transaction=True, serialized_rollback=True, databases=["default", "replica"]
)


@pytest.fixture
def replica(settings, region):
    settings.DATABASE_REPLICAS = ["replica"]
    case = make_case(title="Twelve guardsmen refused", home_region=region)
    # The change above is older than the replicas' lag.
    settings.DATABASE_REPLICA_LAG_SECONDS = 0
    return case


class Queries:
    """The SQL each connection ran while the block ran."""

    def __enter__(self):
        self.contexts = {
            alias: CaptureQueriesContext(connections[alias]) for alias in ("default", "replica")
        }
        for context in self.contexts.values():
            context.__enter__()
        return self

    def __exit__(self, *exc):
        for context in self.contexts.values():
            context.__exit__(*exc)

    def reading_cases(self, alias):
        return [
            query["sql"]
            for query in self.contexts[alias].captured_queries
            # A read: a SELECT, or the server-side cursor a streamed export declares.
            if query["sql"].lstrip().upper().startswith(("SELECT", "DECLARE", "WITH"))
            and 'FROM "tracker_case"' in query["sql"]
        ]


def fetch(client, url):
    with Queries() as queries:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, url
    return queries, body


PUBLIC = [
    "/",
    "/cases/",
    "/cases/{pk}/",
    "/stats/",
    "/cases/export.csv",
    "/cases/export.json",
    "/cases/feed/",
    "/api/cases/",
    "/api/cases/{pk}/",
]


@pytest.mark.parametrize("url", PUBLIC)
def test_an_anonymous_readers_public_page_reads_the_cases_from_the_replica(client, replica, url):
    queries, body = fetch(client, url.format(pk=replica.pk))

    assert queries.reading_cases("replica")
    assert queries.reading_cases("default") == []
    if url != "/stats/":
        assert b"Twelve guardsmen refused" in body


def test_the_same_page_reads_from_the_primary_for_a_logged_in_moderator(moderator_client, replica):
    queries, body = fetch(moderator_client, "/cases/")

    assert queries.reading_cases("default")
    assert queries.reading_cases("replica") == []
    assert b"Twelve guardsmen refused" in body


def test_moderator_pages_and_the_report_form_read_from_the_primary(moderator_client, replica):
    for url in ("/moderation/", "/moderation/cases/", "/submit/"):
        with Queries() as queries:
            assert moderator_client.get(url).status_code == 200
        assert queries.contexts["replica"].captured_queries == [], url


def test_right_after_a_publication_readers_read_from_the_primary(
    client, settings, replica, moderator, region
):
    settings.DATABASE_REPLICA_LAG_SECONDS = 10
    submission = make_submission(
        home_region=region,
        sources=[{"url": "https://example.org/a", "outlet": "Example", "verified": True}],
    )
    moderation.claim(submission, moderator=moderator)
    moderation.publish(
        submission,
        moderator=moderator,
        case_data={
            "title_en": "Published a moment ago",
            "summary_en": "They refused.",
            "refusal_kind": "refused_deploy",
            "confidence": "reported",
        },
    )

    queries, body = fetch(client, "/cases/")

    # A lagging replica could not yet have it; the primary has, and the cache keeps it.
    assert b"Published a moment ago" in body
    assert queries.reading_cases("replica") == []


def test_writes_and_locking_reads_in_a_transaction_go_to_the_primary(replica):
    _replica.set("replica")
    try:
        with Queries() as queries:
            assert Case.objects.count() == 1
            with transaction.atomic():
                locked = Case.objects.select_for_update().get(pk=replica.pk)
                locked.title = "Renamed"
                locked.save(update_fields=["title_en"])
    finally:
        _replica.set(None)

    assert len(queries.reading_cases("replica")) == 1  # the count, outside the transaction
    assert len(queries.reading_cases("default")) == 1  # the locking read
    replica.refresh_from_db()
    assert replica.title == "Renamed"
