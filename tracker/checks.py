"""Bad configuration of the services beyond one machine stops the app at start, with a
clear message, never at the first upload or the first reader: a bucket that is missing,
refuses the keys or is open to anyone, and a read replica that does not answer.

Registered with the tag "services" and run by every management command (so `migrate`,
`db_worker` and `check --deploy` stop on it) and by every gunicorn worker as it loads
`tracker.wsgi` (before it serves a request).
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

TAG = "services"


@checks.register(TAG)
def check_object_store(app_configs=None, **kwargs):
    if not settings.S3_BUCKET:
        return []
    from botocore.exceptions import BotoCoreError, ClientError

    from tracker.storage import s3_client

    where = f"bucket {settings.S3_BUCKET!r} at {settings.S3_ENDPOINT_URL or 'AWS S3'}"
    client = s3_client()
    try:
        client.head_bucket(Bucket=settings.S3_BUCKET)
    except ClientError as error:
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if status == 404:
            message = f"The object store has no {where}."
            hint = "Create it (private): python manage.py create_bucket; or correct S3_BUCKET."
        elif status in (401, 403):
            message = f"The object store refuses the keys for {where}."
            hint = "Check S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY (and S3_REGION)."
        else:
            message = f"The object store answered {status} for {where}."
            hint = "Check S3_ENDPOINT_URL, S3_BUCKET and the keys."
        return [checks.Error(message, hint=hint, id="tracker.E101")]
    except BotoCoreError as error:
        return [
            checks.Error(
                f"The object store cannot be reached for {where}: {error}",
                hint="Check S3_ENDPOINT_URL and that the store is running.",
                id="tracker.E102",
            )
        ]
    anonymous = s3_client(signed=False)
    try:
        anonymous.list_objects_v2(Bucket=settings.S3_BUCKET, MaxKeys=1)
    except (ClientError, BotoCoreError):
        return []
    return [
        checks.Error(
            f"Anyone can list {where} without a key: uploaded reports would be public.",
            hint="Make the bucket private (remove its public or anonymous access policy).",
            id="tracker.E103",
        )
    ]


@checks.register(TAG)
def check_replicas(app_configs=None, **kwargs):
    errors = []
    for alias in settings.DATABASE_REPLICAS:
        connection = connections[alias]
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception as error:  # any failure to answer is reported the same way
            db = connection.settings_dict
            errors.append(
                checks.Error(
                    f"The read replica {alias} ({db.get('HOST')}:{db.get('PORT')}/"
                    f"{db.get('NAME')}) does not answer: {str(error).strip()}",
                    hint="Check DATABASE_REPLICA_URLS (comma-separated, in order).",
                    id="tracker.E104",
                )
            )
        finally:
            connection.close()
    return errors


def require_services():
    """Raise ImproperlyConfigured with every message when a service check fails."""
    errors = [
        error
        for error in checks.run_checks(tags=[TAG])
        if error.level >= checks.ERROR and not error.is_silenced()
    ]
    if errors:
        raise ImproperlyConfigured("\n".join(f"{error.msg} HINT: {error.hint}" for error in errors))
