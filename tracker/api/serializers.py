"""What the API shows of a case. Only the public catalogue models appear here, and only
their public fields: nothing of submissions, moderation, or who verified a source."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tracker.exports import LEGAL_STEP_VALUES, SOURCE_PROVENANCE
from tracker.models import (
    CASE_FACTS,
    Case,
    CaseCorrection,
    CaseEvent,
    CaseOutcome,
    Region,
    Source,
)
from tracker.preservation.fields import SOURCE_FIELD_NAMES, PreservationFieldsMixin

LEGAL_FIELDS = [
    name for name in LEGAL_STEP_VALUES if name not in ("date", "date_precision", "kind")
]


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name_en", "name_ru", "name_uk"]
        read_only_fields = fields


class OptionalURLField(serializers.URLField):
    """A link that may be missing: shown as null rather than "", so that a string in this
    field is always a URL."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


class SourceSerializer(PreservationFieldsMixin, serializers.ModelSerializer):
    url = OptionalURLField(help_text="Link to the publication.")
    archive_url = OptionalURLField(help_text="Link to an archived copy.")

    class Meta:
        model = Source
        fields = [
            *["outlet", "url", "title", "published_on", "language", "archive_url"],
            *SOURCE_PROVENANCE,
            *SOURCE_FIELD_NAMES,
        ]
        read_only_fields = fields


class OptionalChoiceField(serializers.ChoiceField):
    """A code that may be missing: null rather than "", so that a string here is always one
    of the codes."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return super().to_representation(value) if value else None


class CaseEventSerializer(serializers.ModelSerializer):
    legal_basis = OptionalChoiceField(
        choices=CaseEvent.LegalBasis.choices,
        help_text="Article or dismissal ground of a legal step.",
    )
    result = OptionalChoiceField(
        choices=CaseEvent.Result.choices,
        help_text="Where the proceedings stood after a legal step.",
    )

    class Meta:
        model = CaseEvent
        # The legal fields are empty unless the event is a step of legal proceedings.
        fields = [
            "date",
            "date_precision",
            "kind",
            "description_en",
            "description_ru",
            "description_uk",
            *LEGAL_FIELDS,
        ]
        read_only_fields = fields


class CaseCorrectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseCorrection
        # The note in every language (empty where not written in it).
        fields = ["made_at", "changes", "note_en", "note_ru", "note_uk"]
        read_only_fields = fields


class PublicUrlMixin:
    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, case):
        """The permanent address of the case page, which survives title changes."""
        return self.context["request"].build_absolute_uri(
            reverse("tracker:case_detail", args=[case.pk])
        )


class RelatedCaseSerializer(PublicUrlMixin, serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["id", "url", "original_language", "title_en", "title_ru", "title_uk"]
        read_only_fields = fields


class CaseSerializer(PublicUrlMixin, serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Permanent address of the case page.")
    home_region = RegionSerializer(read_only=True, allow_null=True)
    outcomes = serializers.ListField(
        child=serializers.ChoiceField(choices=CaseOutcome.Outcome.choices),
        read_only=True,
        help_text="What followed; a case may have several.",
    )
    sources = SourceSerializer(many=True, read_only=True)

    class Meta:
        model = Case
        # Every fact of a case (tracker/models/facts.py), with what the record adds.
        fields = [
            "id",
            "url",
            *CASE_FACTS,
            "published_at",
            "outcomes",
            "sources",
        ]
        read_only_fields = fields


class CaseDetailSerializer(CaseSerializer):
    events = CaseEventSerializer(many=True, read_only=True, help_text="Timeline after the refusal.")
    corrections = CaseCorrectionSerializer(many=True, read_only=True)
    related_cases = RelatedCaseSerializer(source="public_related", many=True, read_only=True)
    possible_duplicates = RelatedCaseSerializer(
        source="public_duplicates",
        many=True,
        read_only=True,
        help_text="Cases that may record the same episode; not merged until a moderator decides.",
    )

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "events",
            "corrections",
            "related_cases",
            "possible_duplicates",
        ]
        read_only_fields = fields
