from collections import Counter

from django.core.management.base import BaseCommand
from tqdm import tqdm

from tracker.models import Case, Source
from tracker.preservation import services
from tracker.preservation.models import SourceSnapshot


def sources_without_snapshot():
    """Sources with a link, of published cases, that have no captured snapshot yet."""
    return (
        Source.objects.filter(case__in=Case.objects.public())
        .exclude(url="")
        .exclude(snapshots__outcome=SourceSnapshot.Outcome.CAPTURED)
        .order_by("pk")
    )


class Command(BaseCommand):
    help = (
        "Captures every source of a published case that has a link and no snapshot yet "
        "(through SOURCE_FETCH_PROXY, never a private address). A failure is recorded, "
        "not fatal; run it again to retry those."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count the sources to capture."
        )

    def handle(self, *args, dry_run=False, **options):
        sources = list(sources_without_snapshot())
        if dry_run:
            self.stdout.write(f"{len(sources)} sources have no snapshot.")
            return
        failures = Counter()
        captured = 0
        for source in tqdm(
            sources,
            desc="Capturing",
            unit="source",
            disable=not sources or options["verbosity"] == 0,
        ):
            _snapshot, error = services.capture(source.url, source=source)
            if error is None:
                captured += 1
            else:
                failures[str(error.kind)] += 1
        failed = sum(failures.values())
        detail = ", ".join(f"{kind} {count}" for kind, count in sorted(failures.items()))
        self.stdout.write(
            f"Captured {captured} of {len(sources)} sources; {failed} failed"
            + (f" ({detail})." if detail else ".")
        )
