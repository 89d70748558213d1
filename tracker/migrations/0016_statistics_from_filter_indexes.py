"""The statistics of a combination of filters are counted from one index, not the table.

/stats/ for one filter value is kept by a task (tracker.stats.numbers_by_single_filter);
a combination ("army, left the unit, dismissed") is counted when a reader asks. At a
million cases that read every matching row of the table (89,000 rows of one kind spread
over 77,000 pages): one to three seconds. On PostgreSQL the per-filter indexes (the
filter's column, then the listing's default sort; migration 0008) now also carry every
other column the statistics read or a filter compares (INCLUDE), so the statistics of a
combination are an index-only scan of its narrowest filter's index.

Each index is built CONCURRENTLY under a new name and then takes the old one's place, so
moderators can keep saving cases while it builds (tens of seconds each at a million
cases); the migration is therefore not atomic, and can be run again if interrupted.
Names and key columns stay as they were, so Django's migration state is unchanged.
SQLite has no INCLUDE and keeps its indexes.
"""

import sys

from django.db import migrations

PUBLISHED = "WHERE status = 'published'"
FILTER_INDEXES = [
    ("case_pub_region_event_idx", "home_region_id"),
    ("case_pub_force_event_idx", "force"),
    ("case_pub_service_event_idx", "service_status"),
    ("case_pub_kind_event_idx", "refusal_kind"),
    ("case_pub_confidence_event_idx", "confidence"),
]
# What tracker.stats reads of each selected case, and the other filters' columns.
STATISTICS_COLUMNS = [
    "force",
    "service_status",
    "refusal_kind",
    "confidence",
    "home_region_id",
    "people_count",
    "outcome_codes",
    "event_date_earliest",
    "event_date_latest",
]


def _rebuild(schema_editor, *, include):
    if schema_editor.connection.vendor != "postgresql":
        return
    for number, (name, column) in enumerate(FILTER_INDEXES, start=1):
        sys.stdout.write(f"\n  index {number} of {len(FILTER_INDEXES)}: {name}")
        sys.stdout.flush()
        included = ", ".join(other for other in STATISTICS_COLUMNS if other != column)
        columns = f"({column}, event_date DESC NULLS LAST, id DESC)"
        if include:
            columns += f" INCLUDE ({included})"
        building = f"{name}_building"
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {building}")
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY {building} ON tracker_case {columns} {PUBLISHED}"
        )
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        schema_editor.execute(f"ALTER INDEX {building} RENAME TO {name}")


def forward(apps, schema_editor):
    _rebuild(schema_editor, include=True)


def backward(apps, schema_editor):
    _rebuild(schema_editor, include=False)


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [("tracker", "0015_case_outcome_and_outlet_lookups")]

    operations = [migrations.RunPython(forward, backward)]
