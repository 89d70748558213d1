"""The preservation fields of each source in the JSON export and the API, documented once
here: tracker/exports.py and tracker/api/serializers.py carry them, the data dictionary
(/data/) renders this list, so the documentation cannot drift from the data."""

from typing import NamedTuple

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import SourceStatus


class Field(NamedTuple):
    name: str
    description: str
    choices: list | None = None


SOURCE_FIELDS = [
    Field(
        "snapshot_sha256",
        _(
            "SHA-256 of the bytes of the page exactly as the project received them when it "
            "archived the source (hex); null when no copy was captured. Anyone holding a copy "
            "of the page can recompute it to show the copy is the same."
        ),
    ),
    Field("snapshot_at", _("When that copy was captured (ISO 8601, UTC); null without one.")),
    Field(
        "link_status",
        _("What the last check of the source's link found."),
        SourceStatus.Link.choices,
    ),
    Field("link_checked_at", _("When the link was last checked (ISO 8601, UTC); null if never.")),
]
SOURCE_FIELD_NAMES = [field.name for field in SOURCE_FIELDS]

# The same values read with .values() by the export, keyed by field name.
SOURCE_VALUES = {
    "snapshot_sha256": "preservation__snapshot__sha256",
    "snapshot_at": "preservation__snapshot__fetched_at",
    "link_status": "preservation__link_status",
    "link_checked_at": "preservation__link_checked_at",
}


def from_values(row):
    """Pop the preservation lookups of an export row into the public field names."""
    values = {name: row.pop(lookup) for name, lookup in SOURCE_VALUES.items()}
    values["link_status"] = values["link_status"] or SourceStatus.Link.UNCHECKED
    return values


NULLABLE_DATETIME = {"type": "string", "format": "date-time", "nullable": True}


class PreservationFieldsMixin(serializers.Serializer):
    """The four fields on a Source serializer; needs select_related("preservation__snapshot")."""

    snapshot_sha256 = serializers.SerializerMethodField(help_text=SOURCE_FIELDS[0].description)
    snapshot_at = serializers.SerializerMethodField(help_text=SOURCE_FIELDS[1].description)
    link_status = serializers.SerializerMethodField(help_text=SOURCE_FIELDS[2].description)
    link_checked_at = serializers.SerializerMethodField(help_text=SOURCE_FIELDS[3].description)

    @staticmethod
    def _status(source):
        return getattr(source, "preservation", None)

    @extend_schema_field({"type": "string", "nullable": True, "pattern": "^[0-9a-f]{64}$"})
    def get_snapshot_sha256(self, source):
        status = self._status(source)
        return status.snapshot.sha256 if status and status.snapshot else None

    @extend_schema_field(NULLABLE_DATETIME)
    def get_snapshot_at(self, source):
        status = self._status(source)
        snapshot = status.snapshot if status else None
        return (
            serializers.DateTimeField().to_representation(snapshot.fetched_at) if snapshot else None
        )

    @extend_schema_field(serializers.ChoiceField(choices=SourceStatus.Link.choices))
    def get_link_status(self, source):
        status = self._status(source)
        return status.link_status if status else SourceStatus.Link.UNCHECKED

    @extend_schema_field(NULLABLE_DATETIME)
    def get_link_checked_at(self, source):
        status = self._status(source)
        if status is None or status.link_checked_at is None:
            return None
        return serializers.DateTimeField().to_representation(status.link_checked_at)
