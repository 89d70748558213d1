import contextlib
import io
import json

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from tqdm import tqdm

from tracker.cache import bump_version, invalidation_paused
from tracker.lookups import lookup_values, sync_paused
from tracker.models import Case, Region
from tracker.ops.synthetic import CHILD_MODELS, Generator


class Command(BaseCommand):
    help = (
        "Add N synthetic published cases for load testing, with sources, outcomes and "
        "timeline events. They are marked is_synthetic=True and never mixed up with real "
        "ones: `--delete` removes every synthetic case and nothing else. On PostgreSQL the "
        "rows go in with COPY; a million take a few minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument("count", nargs="?", type=int, help="How many cases to add.")
        parser.add_argument("--delete", action="store_true", help="Remove all synthetic cases.")
        parser.add_argument(
            "--dry-run", action="store_true", help="With --delete: only say how many."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument("--batch-size", type=int, default=10_000)

    def handle(self, *args, count, delete, dry_run, seed, batch_size, verbosity, **options):
        if delete:
            return self.delete(dry_run=dry_run, batch_size=batch_size, verbosity=verbosity)
        if count is None or count < 1:
            raise CommandError("Say how many cases to add (a positive number), or --delete.")
        region_ids = list(Region.objects.values_list("pk", flat=True))
        if not region_ids:
            raise CommandError("No regions: run `manage.py migrate` first.")
        generator = Generator(region_ids, seed=seed)
        postgresql = connection.vendor == "postgresql"
        write = _copy_batch if postgresql else _create_batch
        rebuild = postgresql and count >= REBUILD_INDEXES_FROM and not connection.in_atomic_block
        with (
            _indexes_rebuilt_after(rebuild, self.stdout),
            tqdm(total=count, unit=" cases", disable=verbosity == 0) as progress,
        ):
            done = 0
            while done < count:
                size = min(batch_size, count - done)
                with transaction.atomic():
                    write(generator.batch(size))
                done += size
                progress.update(size)
        bump_version()
        _analyze()
        self.stdout.write(self.style.SUCCESS(f"Added {count:,} synthetic cases."))

    def delete(self, *, dry_run, batch_size, verbosity):
        synthetic = Case.objects.filter(is_synthetic=True)
        total = synthetic.count()
        if dry_run:
            self.stdout.write(f"Would delete {total:,} synthetic cases (dry run).")
            return
        # Per-row cache invalidation would make Django load every row to send its
        # signal; one bump at the end does the same job.
        with (
            invalidation_paused(),
            sync_paused(),
            tqdm(total=total, unit=" cases", disable=verbosity == 0) as bar,
        ):
            while ids := list(synthetic.values_list("pk", flat=True)[:batch_size]):
                with transaction.atomic():
                    Case.objects.filter(pk__in=ids).delete()
                bar.update(len(ids))
        bump_version()
        _analyze()
        self.stdout.write(self.style.SUCCESS(f"Deleted {total:,} synthetic cases."))


# From this many cases on, maintaining every index row by row costs more than building
# the indexes again at the end (on PostgreSQL).
REBUILD_INDEXES_FROM = 100_000
BULK_TABLES = [Case, *CHILD_MODELS.values()]


@contextlib.contextmanager
def _indexes_rebuilt_after(rebuild, stdout):
    """Drop the secondary indexes of the tables being loaded and build them again at the
    end (also on failure). Indexes that back a constraint (primary keys, unique) stay."""
    if not rebuild:
        yield
        return
    tables = [model._meta.db_table for model in BULK_TABLES]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            """,
            [tables],
        )
        indexes = cursor.fetchall()
        cursor.execute("SET synchronous_commit = off")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        stdout.write(f"Building {len(indexes)} indexes again…")
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute("RESET maintenance_work_mem")
            cursor.execute("RESET synchronous_commit")


def _create_batch(rows):
    """Portable path (SQLite): bulk_create, which returns the new ids."""
    cases = Case.objects.bulk_create([Case(**_with_lookups(row)) for row in rows])
    children = {name: [] for name in CHILD_MODELS}
    for case, (_values, outcomes, sources, events) in zip(cases, rows, strict=True):
        children["outcomes"] += [{"case_id": case.pk, "outcome": outcome} for outcome in outcomes]
        children["sources"] += [{"case_id": case.pk, **source} for source in sources]
        # The case itself, not its id: an event's original-language column reads the
        # case's language (OriginalText) without a query per event.
        children["events"] += [{"case": case, **event} for event in events]
    for name, model in CHILD_MODELS.items():
        model.objects.bulk_create([model(**values) for values in children[name]])


def _copy_batch(rows):
    """PostgreSQL path: COPY, several times faster than INSERT. The search vector is a
    generated column, so the database computes it."""
    with connection.cursor() as cursor:
        # The database computes every row's full-text vector from its text in three
        # languages: a batch may take longer than a request's statement timeout.
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('tracker_case', 'id')) "
            "FROM generate_series(1, %s)",
            [len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        # Generated columns (the possible dates) are the database's to compute.
        case_fields = [f.attname for f in Case._meta.concrete_fields if not f.generated]
        _copy(
            cursor,
            Case,
            case_fields,
            ({**_with_lookups(row), "id": pk} for pk, row in zip(ids, rows, strict=True)),
        )
        children = {
            "outcomes": (
                {"case_id": pk, "outcome": outcome}
                for pk, row in zip(ids, rows, strict=True)
                for outcome in row[1]
            ),
            "sources": (
                {"case_id": pk, **source}
                for pk, row in zip(ids, rows, strict=True)
                for source in row[2]
            ),
            "events": (
                {"case_id": pk, **event}
                for pk, row in zip(ids, rows, strict=True)
                for event in row[3]
            ),
        }
        for name, model in CHILD_MODELS.items():
            fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
            _copy(cursor, model, fields, children[name])


def _with_lookups(row):
    """A case's values with the lookup columns that signals would otherwise keep
    (tracker/lookups.py): bulk writes send none."""
    values, outcomes, sources, _events = row
    return {**values, **lookup_values(outcomes, [source["outlet"] for source in sources])}


def _copy(cursor, model, fields, rows):
    # A field the generator does not set gets the model's default, as bulk_create would.
    defaults = {name: model._meta.get_field(name).get_default() for name in fields}
    buffer = io.StringIO()
    for values in rows:
        buffer.write("\t".join(_copy_text(values.get(name, defaults[name])) for name in fields))
        buffer.write("\n")
    buffer.seek(0)
    columns = ", ".join(
        connection.ops.quote_name(model._meta.get_field(name).column) for name in fields
    )
    table = connection.ops.quote_name(model._meta.db_table)
    cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def _copy_text(value):
    """A value in COPY's text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list | dict):  # a JSON column
        value = json.dumps(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    if any(char in text for char in "\\\t\n\r"):
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _analyze():
    """Fresh planner statistics, and on PostgreSQL outside a transaction a VACUUM too,
    which sets the visibility map that index-only scans (deep pages, counts) rely on."""
    if connection.vendor != "postgresql":
        return
    tables = [Case._meta.db_table] + [model._meta.db_table for model in CHILD_MODELS.values()]
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{command} {connection.ops.quote_name(table)}")
