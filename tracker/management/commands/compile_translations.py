from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Compile every locale/*/LC_MESSAGES/*.po catalogue to .mo in pure Python, so a fresh "
        "machine needs no gettext tools. Fuzzy entries are left out, as msgfmt does."
    )

    def handle(self, *args, **options):
        catalogues = sorted(
            path
            for locale_dir in settings.LOCALE_PATHS
            for path in Path(locale_dir).glob("*/LC_MESSAGES/*.po")
        )
        for path in catalogues:
            catalogue = polib.pofile(str(path))
            catalogue.save_as_mofile(str(path.with_suffix(".mo")))
            if options["verbosity"] >= 2:
                self.stdout.write(f"{path}: {catalogue.percent_translated()}% translated")
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(f"Compiled {len(catalogues)} catalogues."))
