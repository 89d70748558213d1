from django.db import migrations

from tracker.search import rebuild_search_documents


def rebuild(apps, schema_editor):
    """The search document now holds every language version of the case's timeline and
    the labels of its outcomes (tracker/search.py): every existing case's is written
    again. At a million cases this takes minutes (chunks of 2,000, one bulk update each)."""
    rebuild_search_documents(
        apps.get_model("tracker", "Case"),
        apps.get_model("tracker", "CaseEvent"),
        apps.get_model("tracker", "CaseOutcome"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0012_translated_fields_through_modeltranslation"),
    ]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
