from django.core.management.base import BaseCommand

from tracker.seeds import SEEDS_FILE, load_seeds, read_seeds


class Command(BaseCommand):
    help = (
        "Load the seed cases (seeds/cases.json) as published cases. Idempotent: cases are "
        "keyed on their seed id, so running it again changes only what the file changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=SEEDS_FILE, help="Seed file to load.")

    def handle(self, *args, **options):
        seeds = read_seeds(options["file"])

        def progress(index, total, seed_id):
            if options["verbosity"] >= 2:
                self.stdout.write(f"[{index}/{total}] {seed_id}")

        result = load_seeds(seeds, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Seed cases: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged."
            )
        )
