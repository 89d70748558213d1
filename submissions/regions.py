"""The region choices of the report form, available while the database is not.

`GET /submit/` must render during a database outage (the form is what people in a hurry
need most), and so must a form given back with its draft when storing failed. The choices
are read from the database and kept in memory for a few minutes; with no database and
nothing in memory, they come from the file the regions were loaded from. Their values are
region codes, which are the same in both.
"""

import json
import time
from pathlib import Path

from tracker.models import Region, region_name_field
from tracker.security import DATABASE_DOWN

REGIONS_FILE = Path(__file__).resolve().parent.parent / "tracker" / "data" / "regions.json"
FRESH_SECONDS = 600

_remembered = {}  # name column -> (monotonic time read, choices)


def region_choices(language=None):
    """[(code, name in the language)], ordered by that name."""
    column = region_name_field(language)
    remembered = _remembered.get(column)
    if remembered and time.monotonic() - remembered[0] < FRESH_SECONDS:
        return remembered[1]
    try:
        choices = list(Region.objects.order_by(column).values_list("code", column))
    except DATABASE_DOWN:
        if remembered:
            return remembered[1]
        rows = json.loads(REGIONS_FILE.read_text(encoding="utf-8"))
        return sorted(((row["code"], row[column]) for row in rows), key=lambda row: row[1])
    _remembered[column] = (time.monotonic(), choices)
    return choices
