"""The Django admin of cases. It lives beside the services because every change it makes
goes through them: an edit of a case through `edit_case` (which writes the correction line
and the audit event), a retraction through `retract`, an approval through
`approve_publication`. Status, publication time and retraction are read-only here."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tracker.models import (
    CASE_FACTS,
    CONTENT_LANGUAGES,
    Case,
    CaseCorrection,
    CaseEvent,
    CaseOutcome,
    Source,
)

from . import services
from .forms import RetractForm


def _inline_changes(form, formsets):
    """What the saved inlines changed, as edit_case takes it for the correction line."""
    also_changed, added, removed = [], 0, 0
    for formset in formsets:
        if formset.model is Source:
            added, removed = len(formset.new_objects), len(formset.deleted_objects)
            if formset.changed_objects:
                also_changed.append("sources")
        elif formset.model is CaseEvent and formset.has_changed():
            also_changed.append("events")
    for name in ("related_cases", "possible_duplicates"):
        if name in form.changed_data:
            also_changed.append(name)
    return {"also_changed": also_changed, "sources_added": added, "sources_removed": removed}


class SourceInline(admin.StackedInline):
    model = Source
    extra = 0
    # A link typed without a scheme is taken as https, never plain http.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # The provenance fields are what the confidence rule reads (tracker/grading.py).
    fields = [
        ("outlet", "language"),
        ("url", "archive_url"),
        "title",
        ("published_on", "published_on_precision"),
        "cited_in",
        ("account_from", "relays", "relayed_source", "says_unconfirmed"),
        "verified_by",
    ]
    raw_id_fields = ["verified_by"]


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0


class CaseCorrectionInline(admin.TabularInline):
    """Written by edit_case from what changed; shown, never typed."""

    model = CaseCorrection
    extra = 0
    fields = readonly_fields = ["made_at", "note"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _correction_note(label, language):
    return forms.CharField(
        label=label,
        required=False,
        max_length=CaseCorrection._meta.get_field("note_en").max_length,
        help_text=gettext_lazy(
            "Optional, shown on the page of a published case beside the line that lists what "
            "changed."
        ),
        widget=forms.TextInput(attrs={"lang": language}),
    )


class CaseAdminForm(forms.ModelForm):
    outcomes = forms.MultipleChoiceField(
        label=gettext_lazy("What followed"),
        choices=CaseOutcome.Outcome.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # The public note in each content language, like the case's text (CaseEditForm).
    correction_note_en = _correction_note(gettext_lazy("Public correction note in English"), "en")
    correction_note_ru = _correction_note(gettext_lazy("Public correction note in Russian"), "ru")
    correction_note_uk = _correction_note(gettext_lazy("Public correction note in Ukrainian"), "uk")

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Case
        fields = [*CASE_FACTS, "related_cases", "possible_duplicates"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("outcomes", self.instance.outcomes)
            self.initial.setdefault("seen_version", self.instance.version)

    def clean_seen_version(self):
        seen = self.cleaned_data["seen_version"]
        if self.instance.pk and seen is not None and seen != self.instance.version:
            raise forms.ValidationError(
                gettext_lazy(
                    "Someone changed this case after you opened it; nothing was saved. "
                    "Open it again to see the change."
                )
            )
        return seen


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    form = CaseAdminForm
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
    # The search document holds every language version (lowercase, with a Latin
    # transliteration): the admin's search crosses languages like the public one.
    search_fields = ["search_document", "sources__outlet"]
    date_hierarchy = "event_date"
    list_select_related = ["home_region"]
    autocomplete_fields = ["home_region", "related_cases", "possible_duplicates"]
    readonly_fields = [
        "slug",
        "status",
        "published_at",
        "retraction_reason_en",
        "retraction_reason_ru",
        "retraction_reason_uk",
        "seed_id",
        "is_synthetic",
        "created_at",
        "updated_at",
    ]
    inlines = [SourceInline, CaseEventInline, CaseCorrectionInline]
    actions = ["retract_cases"]
    fieldsets = [
        (None, {"fields": ["original_language", "slug", "status", "published_at"]}),
        (
            gettext_lazy("Text in three languages"),
            {
                "fields": [
                    ("title_en", "title_ru", "title_uk"),
                    ("summary_en", "summary_ru", "summary_uk"),
                    "name_variants",
                ]
            },
        ),
        (
            gettext_lazy("When and who"),
            {
                "fields": [
                    ("event_date", "event_date_precision"),
                    ("event_date_not_before", "event_date_not_after"),
                    "first_reported_on",
                    ("people_count", "people_qualifier"),
                    "named_people",
                    "service_status",
                    "other_service_statuses",
                ]
            },
        ),
        (
            gettext_lazy("Force and place"),
            {
                "fields": [
                    "force",
                    "other_forces",
                    "unit",
                    "home_region",
                    "location_country",
                    "location",
                ]
            },
        ),
        (
            gettext_lazy("What happened"),
            {
                "fields": [
                    "refusal_kind",
                    "outcomes",
                    "legal_articles",
                    "confidence",
                    "confidence_note",
                    "conflicting_accounts",
                    "related_cases",
                    "possible_duplicates",
                ]
            },
        ),
        (
            None,
            {
                "fields": [
                    ("correction_note_en", "correction_note_ru", "correction_note_uk"),
                    "seen_version",
                ]
            },
        ),
        (
            gettext_lazy("Record"),
            {
                "fields": [
                    ("retraction_reason_en", "retraction_reason_ru", "retraction_reason_uk"),
                    "seed_id",
                    "is_synthetic",
                    "created_at",
                    "updated_at",
                ],
                "classes": ["collapse"],
            },
        ),
    ]

    def get_actions(self, request):
        # A published case is retracted, never deleted: its cited URL must keep answering.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status != Case.Status.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # A new case is a draft (status is read-only) and has no readers yet. An existing
        # one is saved by edit_case in save_related, after its inlines.
        if not change:
            obj.save()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        case = form.instance
        data = form.cleaned_data
        if not change:
            CaseOutcome.objects.bulk_create(
                CaseOutcome(case=case, outcome=outcome) for outcome in data["outcomes"]
            )
            # Its timeline (the inline, saved above) and outcomes are searchable text.
            case.refresh_search_document()
            return
        changes = {name: data[name] for name in CASE_FACTS if name in form.changed_data}
        changes["outcomes"] = data["outcomes"]
        services.edit_case(
            case,
            moderator=request.user,
            changes=changes,
            correction_note={
                language: data.get(f"correction_note_{language}", "")
                for language in CONTENT_LANGUAGES
            },
            seen_version=data.get("seen_version"),
            via="admin",
            **_inline_changes(form, formsets),
        )

    @admin.action(description=gettext_lazy("Retract the selected cases"))
    def retract_cases(self, request, queryset):
        form = RetractForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            retracted = 0
            for case in queryset:
                try:
                    services.retract(
                        case, moderator=request.user, reason=form.cleaned_data["reason"]
                    )
                except services.ModerationError as error:
                    self.message_user(request, str(error), messages.WARNING)
                else:
                    retracted += 1
            self.message_user(
                request,
                ngettext("%(count)d case retracted.", "%(count)d cases retracted.", retracted)
                % {"count": retracted},
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Retract the selected cases"),
            "cases": queryset,
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return render(request, "admin/tracker/case/retract.html", context)
