"""pg_trgm for finding possible duplicates by text similarity (moderation/duplicates.py).

TrigramExtension does nothing on databases other than PostgreSQL, where the duplicate
finder uses a simpler match.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("moderation", "0002_moderators_group")]

    operations = [TrigramExtension()]
