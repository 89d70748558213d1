"""Where files are kept: the storages of settings.STORAGES, and the S3 one's rules.

Attachments ("default") and snapshots of sources ("snapshots") are written and read only
through Django's storage API, so the local disk (the embedded default) and an
S3-compatible object store (S3_BUCKET) are one setting apart. Neither ever gives a file an
address: files reach a browser only through the permission-checked views
(`moderation/views/review.py::attachment`, `tracker/preservation/views.py::raw_response`),
with their nosniff, sandbox and no-store headers, never from the store's own origin.
"""

from botocore.config import Config
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty
from storages.backends.s3 import S3Storage

# Reads of a stored file are kept in memory up to this size (above it, in a temporary
# file): larger than any upload (SUBMISSION_MAX_FILE_SIZE) or snapshot
# (SOURCE_FETCH_MAX_BYTES) the defaults allow, so a photo is never copied to the disk of
# the app server that serves it.
READ_BUFFER_BYTES = 32 * 1024 * 1024


NO_URL = "Stored files have no public URL: they are served by permission-checked views."


class PrivateFileSystemStorage(FileSystemStorage):
    """The local disk under MEDIA_ROOT (the embedded default), without any URL."""

    # The location is left unset so that it follows settings.MEDIA_ROOT, also when tests
    # change it.

    def url(self, name):
        raise ValueError(NO_URL)


class StorageAlias(LazyObject):
    """`storages[alias]`, found when first used and again whenever STORAGES or MEDIA_ROOT
    changes. A FileField calls its storage callable once, when the model class is made;
    this keeps the field following the setting (tests switch to the object store)."""

    def __init__(self, alias):
        self.__dict__["_alias"] = alias
        super().__init__()
        _aliases.append(self)

    def _setup(self):
        self._wrapped = storages[self._alias]


_aliases = []


@receiver(setting_changed)
def _forget_storages(*, setting, **kwargs):
    if setting in ("STORAGES", "MEDIA_ROOT"):
        for alias in _aliases:
            alias._wrapped = empty


ATTACHMENTS = StorageAlias("default")
SNAPSHOTS = StorageAlias("snapshots")


def attachment_storage():
    """Report attachments: settings.STORAGES["default"] (submissions/models.py)."""
    return ATTACHMENTS


def snapshot_storage():
    """Snapshots of sources: settings.STORAGES["snapshots"] (tracker/preservation/)."""
    return SNAPSHOTS


def s3_client(*, signed=True):
    """A boto3 client for the configured store (S3_* settings), with short timeouts: for
    the start-up check (tracker/checks.py) and `manage.py create_bucket`."""
    import boto3
    from botocore import UNSIGNED

    options = {"connect_timeout": 5, "read_timeout": 10, "retries": {"max_attempts": 2}}
    if signed:
        config = Config(s3={"addressing_style": "path"}, signature_version="s3v4", **options)
        keys = {
            "aws_access_key_id": settings.S3_ACCESS_KEY_ID,
            "aws_secret_access_key": settings.S3_SECRET_ACCESS_KEY,
        }
    else:
        config, keys = Config(signature_version=UNSIGNED, **options), {}
    return boto3.client(
        "s3",
        endpoint_url=settings.S3_ENDPOINT_URL or None,
        region_name=settings.S3_REGION or None,
        config=config,
        **keys,
    )


class PrivateS3Storage(S3Storage):
    """A private bucket of an S3-compatible store (SeaweedFS, MinIO, AWS S3).

    - No URL: neither public nor pre-signed (`url` refuses), so no page links to the store.
    - No ACL is sent: objects are as private as the bucket (some stores refuse ACLs).
    - A name already taken gets a new one instead of replacing it: two snapshots with the
      same bytes in one month must not share one object that deleting one would remove.
    - Path-style addresses (http://store:8333/bucket/key): what SeaweedFS and MinIO expect.
    """

    def get_default_settings(self):
        return {
            **super().get_default_settings(),
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": False,
            "addressing_style": "path",
            "signature_version": "s3v4",
            "max_memory_size": READ_BUFFER_BYTES,
            "client_config": Config(
                connect_timeout=5,
                read_timeout=30,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        }

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError(NO_URL)
