"""The statistics of a combination with a date filter are counted from the date's index.

Migration 0016 made the per-filter indexes carry every column /stats/ reads. A
combination whose only indexed filter is a date ("dismissed, from 2024 on": the outcome
has a GIN index, which cannot return columns) still read every entry of one of those
indexes (0.3–0.4 s at a million cases). The two date indexes (the latest and earliest
possible day, `case_pub_latest_idx` and `case_pub_earliest_idx`) now carry the same
columns, so such a combination reads only the cases from the date on.

Built CONCURRENTLY under a new name that then takes the old one's place, as in 0016; not
atomic, and can be run again if interrupted. SQLite keeps its indexes.
"""

import sys

from django.db import migrations

PUBLISHED = "WHERE status = 'published'"
DATE_INDEXES = [
    ("case_pub_latest_idx", "event_date_latest"),
    ("case_pub_earliest_idx", "event_date_earliest"),
]
# What tracker.stats reads of each selected case (its month from event_date), and the
# other filters' columns.
STATISTICS_COLUMNS = [
    "force",
    "service_status",
    "refusal_kind",
    "confidence",
    "home_region_id",
    "people_count",
    "outcome_codes",
    "event_date",
    "event_date_earliest",
    "event_date_latest",
]


def _rebuild(schema_editor, *, include):
    if schema_editor.connection.vendor != "postgresql":
        return
    for number, (name, column) in enumerate(DATE_INDEXES, start=1):
        sys.stdout.write(f"\n  index {number} of {len(DATE_INDEXES)}: {name}")
        sys.stdout.flush()
        included = ", ".join(other for other in STATISTICS_COLUMNS if other != column)
        columns = f"({column})" + (f" INCLUDE ({included})" if include else "")
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

    dependencies = [("tracker", "0016_statistics_from_filter_indexes")]

    operations = [migrations.RunPython(forward, backward)]
