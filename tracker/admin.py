from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from moderation.services import record_admin_edit

from .models import Case, CaseCorrection, CaseEvent, CaseOutcome, Region, Source


class SourceInline(admin.TabularInline):
    model = Source
    extra = 0
    # A link typed without a scheme is taken as https, never plain http.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ["outlet", "url", "title", "published_on", "language", "archive_url", "verified_by"]
    raw_id_fields = ["verified_by"]


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0


class CaseOutcomeInline(admin.TabularInline):
    model = CaseOutcome
    extra = 0


class CaseCorrectionInline(admin.TabularInline):
    model = CaseCorrection
    extra = 0


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "title",
        "status",
        "event_date",
        "home_region",
        "force",
        "refusal_kind",
        "people_count",
        "confidence",
    ]
    list_display_links = ["id", "title"]
    list_filter = [
        "status",
        "confidence",
        "force",
        "refusal_kind",
        "service_status",
        "location_country",
        ("home_region", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["title", "summary", "unit", "location", "sources__outlet"]
    date_hierarchy = "event_date"
    list_select_related = ["home_region"]
    autocomplete_fields = ["home_region", "related_cases"]
    readonly_fields = [
        "slug",
        "published_at",
        "seed_id",
        "is_synthetic",
        "created_at",
        "updated_at",
    ]
    inlines = [CaseOutcomeInline, SourceInline, CaseEventInline, CaseCorrectionInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        case = form.instance
        if not change or not case.is_public:
            return
        # A published case that changes says so on its page, as an edit through moderation
        # does; an administrator who wrote a correction line themselves is not second-guessed.
        if any(fs.model is CaseCorrection and fs.new_objects for fs in formsets):
            return
        changed = [
            str(Case._meta.get_field(name).verbose_name)
            for name in form.changed_data
            if name in form.fields
        ]
        changed += [
            str(fs.model._meta.verbose_name_plural)
            for fs in formsets
            if fs.model is not CaseCorrection and fs.has_changed()
        ]
        if changed:
            note = _("Corrected: %(fields)s.") % {"fields": ", ".join(changed)}
            CaseCorrection.objects.create(case=case, note=note[:300])

    def log_change(self, request, obj, message):
        # Moderators edit cases through moderation/services.py; an administrator's edit
        # here lands in the same audit trail.
        record_admin_edit(obj, user=request.user, fields=message)
        return super().log_change(request, obj, message)

    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "status", "published_at"]}),
        (
            _("When and who"),
            {
                "fields": [
                    ("event_date", "event_date_precision"),
                    "first_reported_on",
                    ("people_count", "people_qualifier"),
                    "named_people",
                    "service_status",
                ]
            },
        ),
        (
            _("Force and place"),
            {"fields": ["force", "unit", "home_region", "location_country", "location"]},
        ),
        (
            _("What happened"),
            {"fields": ["refusal_kind", "legal_articles", "confidence", "related_cases"]},
        ),
        (
            _("Record"),
            {
                "fields": [
                    "retraction_reason",
                    "seed_id",
                    "is_synthetic",
                    "created_at",
                    "updated_at",
                ],
                "classes": ["collapse"],
            },
        ),
    ]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_ru", "name_uk", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name_en", "name_ru", "name_uk"]
