"""Undated cases (and cases with an unknown number of people) sort last in both
directions of the listing (tracker/filters.py SORTS: NULLS LAST).

PostgreSQL puts NULLs first in a descending index unless told otherwise, and cannot serve
`ORDER BY event_date DESC NULLS LAST` from such an index. So on PostgreSQL:
- the per-filter indexes (filter, then the default sort) and the people index are rebuilt
  as `DESC NULLS LAST` under the same names and columns, so Django's migration state is
  unchanged;
- `case_pub_event_idx` stays as it is: read backwards it serves "oldest first"
  (`ASC NULLS LAST`), and a new `case_pub_event_nulls_last_idx` serves "newest first".
SQLite cannot declare NULLS LAST in an index and needs none: its NULLs are the smallest
values, so a descending scan already ends with them.
"""

from django.db import migrations

PUBLISHED = "WHERE status = 'published'"
FILTER_INDEXES = [
    ("case_pub_region_event_idx", "home_region_id"),
    ("case_pub_force_event_idx", "force"),
    ("case_pub_service_event_idx", "service_status"),
    ("case_pub_kind_event_idx", "refusal_kind"),
    ("case_pub_confidence_event_idx", "confidence"),
]
NEW_INDEX = "case_pub_event_nulls_last_idx"


def _rebuilt(nulls):
    yield "case_pub_people_idx", f"(people_count DESC{nulls}, id DESC)"
    for name, column in FILTER_INDEXES:
        yield name, f"({column}, event_date DESC{nulls}, id DESC)"


def _create(name, columns):
    return f"CREATE INDEX {name} ON tracker_case {columns} {PUBLISHED}"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in _rebuilt(" NULLS LAST"):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute(_create(name, columns))
    schema_editor.execute(_create(NEW_INDEX, "(event_date DESC NULLS LAST, id DESC)"))


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NEW_INDEX}")
    for name, columns in _rebuilt(""):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute(_create(name, columns))


class Migration(migrations.Migration):
    dependencies = [("tracker", "0007_exact_counters_and_shared_keys")]

    operations = [migrations.RunPython(forward, backward)]
