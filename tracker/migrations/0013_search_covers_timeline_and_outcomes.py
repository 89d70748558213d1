import sys

from django.db import migrations

from tracker.search import rebuild_search_documents

# A progress line every this many cases, on a record large enough to need one.
PROGRESS_EVERY = 50_000


def rebuild(apps, schema_editor):
    """The search document now holds every language version of the case's timeline and
    the labels of its outcomes (tracker/search.py): every existing case's is written
    again, in chunks of 2,000 committed one by one (the migration is not atomic), so a
    million cases neither wait in one transaction of an hour nor start again from the
    first case after an interruption: writing a document again is harmless."""
    case_model = apps.get_model("tracker", "Case")
    total = case_model.objects.count()
    written = 0

    def progress(cases):
        nonlocal written
        before, written = written, written + cases
        if total >= PROGRESS_EVERY and (
            written // PROGRESS_EVERY > before // PROGRESS_EVERY or written == total
        ):
            sys.stdout.write(f"\n  search documents: {written:,} of {total:,} cases")
            sys.stdout.flush()

    rebuild_search_documents(
        case_model,
        apps.get_model("tracker", "CaseEvent"),
        apps.get_model("tracker", "CaseOutcome"),
        progress=progress,
    )


class Migration(migrations.Migration):
    # Each chunk commits on its own (see rebuild).
    atomic = False

    dependencies = [
        ("tracker", "0012_translated_fields_through_modeltranslation"),
    ]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
