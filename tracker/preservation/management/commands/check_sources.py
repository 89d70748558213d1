from collections import Counter
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone
from tqdm import tqdm

from tracker.models import Case, Source
from tracker.preservation import services


class Command(BaseCommand):
    help = (
        "Looks at the link of every source of a published case once more and records what "
        "it found (online, gone, unreachable). A page gone since the last look shows as "
        "offline on its case page. Run it daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--skip-checked-within",
            type=int,
            default=0,
            metavar="HOURS",
            help="Leave out sources checked less than this many hours ago.",
        )

    def handle(self, *args, skip_checked_within=0, **options):
        sources = Source.objects.filter(case__in=Case.objects.public()).exclude(url="")
        if skip_checked_within:
            recent = timezone.now() - timedelta(hours=skip_checked_within)
            sources = sources.filter(
                Q(preservation__isnull=True)
                | Q(preservation__link_checked_at__isnull=True)
                | Q(preservation__link_checked_at__lt=recent)
            )
        sources = list(sources.order_by("pk"))
        results = Counter()
        for source in tqdm(
            sources,
            desc="Checking",
            unit="source",
            disable=not sources or options["verbosity"] == 0,
        ):
            results[services.check(source).result] += 1
        self.stdout.write(
            f"Checked {len(sources)} sources: {results['ok']} online, {results['gone']} gone, "
            f"{results['unreachable']} unreachable."
        )
