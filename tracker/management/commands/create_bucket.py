import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Create the private bucket S3_BUCKET on the object store if it has none; safe to "
        "repeat. The app refuses to start without its bucket (tracker/checks.py), so this "
        "runs before it (docker-compose.yml: the `bucket` service)."
    )
    # The start-up check would refuse to run this very command while the bucket is missing.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--wait",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep trying this long while the store does not answer yet (it is starting).",
        )

    def handle(self, *args, wait, **options):
        from botocore.exceptions import BotoCoreError, ClientError

        from tracker.storage import s3_client

        bucket = settings.S3_BUCKET
        if not bucket:
            raise CommandError("S3_BUCKET is not set: files are kept on the local disk.")
        client = s3_client()
        deadline = time.monotonic() + wait
        while True:
            try:
                client.head_bucket(Bucket=bucket)
            except ClientError as error:
                if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") != 404:
                    raise CommandError(
                        f"The object store refuses bucket {bucket!r}: {error}"
                    ) from None
                break
            except BotoCoreError as error:
                if time.monotonic() > deadline:
                    raise CommandError(f"The object store does not answer: {error}") from None
                self.stdout.write("Waiting for the object store …")
                time.sleep(2)
            else:
                self.stdout.write(f"Bucket {bucket} exists.")
                return
        location = {}
        if settings.S3_REGION and settings.S3_REGION != "us-east-1":
            location = {"CreateBucketConfiguration": {"LocationConstraint": settings.S3_REGION}}
        # No ACL and no policy: a new bucket is private.
        client.create_bucket(Bucket=bucket, **location)
        self.stdout.write(self.style.SUCCESS(f"Bucket {bucket} created (private)."))
