import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from submissions.models import Submission

BATCH = 500


class Command(BaseCommand):
    help = (
        "Delete the contact details of submissions decided (published, rejected or withdrawn) "
        "more than CONTACT_RETENTION_DAYS days ago. Run it daily, e.g. from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.CONTACT_RETENTION_DAYS,
            help="Days after the decision (default: CONTACT_RETENTION_DAYS, %(default)s).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be deleted."
        )

    def handle(self, *args, days, dry_run, **options):
        if days < 0:
            raise CommandError("--days cannot be negative.")
        now = timezone.now()
        due = Submission.objects.filter(
            status__in=Submission.DECIDED_STATUSES,
            decided_at__lte=now - datetime.timedelta(days=days),
        ).exclude(contact_encrypted="")
        # A rejection can be undone for MODERATION_UNDO_REJECTION_HOURS: keep the contact
        # of a report at least that long after its rejection.
        undo_hours = datetime.timedelta(hours=settings.MODERATION_UNDO_REJECTION_HOURS)
        due = due.exclude(status=Submission.Status.REJECTED, decided_at__gt=now - undo_hours)
        ids = list(due.values_list("pk", flat=True))
        if dry_run:
            self.stdout.write(
                f"Would delete the contacts of {len(ids)} submissions decided more than "
                f"{days} days ago (dry run, nothing changed)."
            )
            return
        purged = 0
        for start in range(0, len(ids), BATCH):
            # Filtered again: a contact restored or changed meanwhile is not touched twice.
            purged += due.filter(pk__in=ids[start : start + BATCH]).update(
                contact_encrypted="", contact_purged_at=now
            )
            if options["verbosity"] >= 1:
                self.stdout.write(f"  {min(start + BATCH, len(ids))}/{len(ids)}")
        self.stdout.write(
            f"Deleted the contacts of {purged} submissions decided more than {days} days ago."
        )
