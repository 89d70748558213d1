from django.core.management.base import BaseCommand
from tqdm import tqdm

from tracker.cache import bump_version
from tracker.models import Case, CaseEvent, CaseOutcome
from tracker.search import rebuild_search_documents


class Command(BaseCommand):
    help = (
        "Write every case's search document again (tracker/search.py): needed only when "
        "what the document holds changes; saving a case, or a service changing its "
        "timeline or outcomes, keeps its own document current. On PostgreSQL the "
        "full-text vector follows by itself. Each chunk of cases is committed on its own, "
        "so an interrupted run keeps what it wrote and can simply be run again."
    )

    def handle(self, *args, **options):
        total = Case.objects.count()
        with tqdm(total=total, unit=" cases", disable=options["verbosity"] == 0) as bar:
            count = rebuild_search_documents(Case, CaseEvent, CaseOutcome, progress=bar.update)
        bump_version()
        self.stdout.write(self.style.SUCCESS(f"Rebuilt the search documents of {count:,} cases."))
