from django.core.management.base import BaseCommand, CommandError

from tracker.ops.backups import BackupError, make_backup


class Command(BaseCommand):
    help = (
        "Back up the PostgreSQL database (pg_dump) and every uploaded file into a folder, "
        "with a manifest of row counts and file checksums that verify_restore checks."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", help="Folder to write the backup into.")

    def handle(self, *args, **options):
        try:
            manifest = make_backup(options["output"], progress=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from None
        counts = ", ".join(f"{count} {label}" for label, count in manifest["counts"].items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {options['output']}: {counts}, {len(manifest['files'])} files."
            )
        )
