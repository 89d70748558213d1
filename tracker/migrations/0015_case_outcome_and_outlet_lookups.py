from django.db import migrations, models

# PostgreSQL only: the listing's outcome and outlet filters are `@>` on these JSON lists,
# served by partial GIN indexes like the other listing indexes (status = 'published'). The
# trigram index on source outlets served the `ILIKE '%…%'` outlet filter, now gone.
FORWARD = [
    "CREATE INDEX case_pub_outcomes_gin ON tracker_case USING gin (outcome_codes jsonb_path_ops) "
    "WHERE status = 'published'",
    "CREATE INDEX case_pub_outlets_gin ON tracker_case USING gin (outlet_keys jsonb_path_ops) "
    "WHERE status = 'published'",
    "DROP INDEX IF EXISTS source_outlet_trgm",
]
BACKWARD = [
    "CREATE INDEX IF NOT EXISTS source_outlet_trgm ON tracker_source "
    "USING gin (upper(outlet::text) gin_trgm_ops)",
    "DROP INDEX IF EXISTS case_pub_outlets_gin",
    "DROP INDEX IF EXISTS case_pub_outcomes_gin",
]


def fill_lookups(apps, schema_editor):
    """Every existing case's outcome codes and outlet keys (at a million cases, one
    UPDATE of the whole table: minutes, so without the requests' statement timeout)."""
    from tracker.lookups import refresh_all_lookups

    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute("SET LOCAL statement_timeout = 0")
    models_ = (
        apps.get_model("tracker", "Case"),
        apps.get_model("tracker", "CaseOutcome"),
        apps.get_model("tracker", "Source"),
    )
    refresh_all_lookups(connection.alias, models=models_)


def run_on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0014_case_possible_dates"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="outcome_codes",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.AddField(
            model_name="case",
            name="outlet_keys",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.RunPython(fill_lookups, migrations.RunPython.noop),
        migrations.RunPython(run_on_postgresql(FORWARD), run_on_postgresql(BACKWARD)),
    ]
