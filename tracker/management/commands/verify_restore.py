from django.core.management.base import BaseCommand, CommandError

from tracker.ops.backups import BackupError, verify_restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder into a fresh scratch database and folder, and check that it "
        "gives the same numbers of cases, sources and submissions and the same uploaded files "
        "as when it was made. The scratch database is dropped afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="Folder written by the backup command.")

    def handle(self, *args, **options):
        try:
            counts, files, problems = verify_restore(options["backup"], progress=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError("The restore does not match the backup.")
        summary = ", ".join(f"{count} {label}" for label, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Restore verified: {summary}, {files} files."))
