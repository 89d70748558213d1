from django.core.management.base import BaseCommand

from tracker.cache import bump_version
from tracker.models import Case, CaseEvent, CaseOutcome
from tracker.search import rebuild_search_documents


class Command(BaseCommand):
    help = (
        "Write every case's search document again (tracker/search.py): needed only when "
        "what the document holds changes; saving a case, or a service changing its "
        "timeline or outcomes, keeps its own document current. On PostgreSQL the "
        "full-text vector follows by itself."
    )

    def handle(self, *args, **options):
        count = rebuild_search_documents(Case, CaseEvent, CaseOutcome)
        bump_version()
        self.stdout.write(self.style.SUCCESS(f"Rebuilt the search documents of {count:,} cases."))
