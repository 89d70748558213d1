from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from tracker.models import Case, needs_translation_q
from tracker.search import search_cases

from .. import services
from ..decorators import moderator_required
from ..forms import CaseEditForm, CaseListFilterForm, RetractForm

CASES_PER_PAGE = 50


@moderator_required
@require_safe
def case_list(request):
    form = CaseListFilterForm(request.GET)
    cases = _filtered_cases(form.cleaned_data if form.is_valid() else {})
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "cases": page.object_list, "query": query.urlencode()}
    return render(request, "moderation/case_list.html", context)


def _filtered_cases(data):
    cases = Case.objects.select_related("home_region").order_by("-updated_at", "-id")
    query = (data.get("q") or "").strip().lstrip("#")
    if query.isdigit():
        cases = cases.filter(pk=int(query))
    elif query:
        cases = search_cases(cases, query)
    if data.get("status"):
        cases = cases.filter(status=data["status"])
    if data.get("confidence"):
        cases = cases.filter(confidence=data["confidence"])
    if data.get("origin") == CaseListFilterForm.SEED:
        cases = cases.filter(seed_id__isnull=False)
    elif data.get("origin") == CaseListFilterForm.REPORTED:
        cases = cases.filter(seed_id__isnull=True)
    if data.get("translation") == CaseListFilterForm.NEEDS_TRANSLATION:
        cases = cases.filter(needs_translation_q())
    elif data.get("translation") == CaseListFilterForm.TRANSLATED:
        cases = cases.exclude(needs_translation_q())
    return cases


@moderator_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_edit(request, pk):
    case = get_object_or_404(Case, pk=pk)
    # The form edits a copy, so the service compares against the stored case.
    form = CaseEditForm(request.POST or None, instance=Case.objects.get(pk=pk))
    changed_meanwhile = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = services.edit_case(
                case,
                moderator=request.user,
                changes=data,
                correction_note=form.correction_notes(),
                seen_version=data.get("version"),
            )
        except services.StaleEdit as stale:
            changed_meanwhile = services.changes_since(stale.case, stale.seen_version)
            form = _rebased(form, stale.case, changed_meanwhile)
            form.add_error(None, str(stale))
        except services.ModerationError as error:
            form.add_error(None, str(error))
        else:
            if changed:
                messages.success(request, _("Case #%(id)s saved.") % {"id": pk})
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("moderation:case_edit", pk=pk)
    context = {
        "case": case,
        "form": form,
        "changed_meanwhile": changed_meanwhile,
        "audit_events": case.audit_events.all()[:50],
    }
    return render(request, "moderation/case_edit.html", context)


def _rebased(form, current, changed_meanwhile):
    """The moderator's form, now made from the current version: what they typed is kept,
    and a field they left as it was takes the value another moderator saved meanwhile, so
    saving again applies their changes on top and reverts nobody else's."""
    seen = {}  # field -> its value in the version this moderator's form was made from
    for event in changed_meanwhile:
        for field, (before, _after) in event.details.get("changes", {}).items():
            seen.setdefault(field, before)
    fresh = CaseEditForm(instance=current)
    data = form.data.copy()
    data["version"] = current.version
    for field, before in seen.items():
        if field in form.fields and _as_history(field, form.cleaned_data.get(field)) == before:
            value = fresh[field].value()
            values = value if isinstance(value, list) else [value]
            data.setlist(field, ["" if item is None else str(item) for item in values])
    rebased = CaseEditForm(data, instance=Case.objects.get(pk=current.pk))
    rebased.is_valid()
    return rebased


def _as_history(field, value):
    """A form's cleaned value as the case history records it (services.history_value)."""
    if field == "outcomes":
        return sorted(value or [])
    if field == "home_region":
        return value.code if value else None
    return value.isoformat() if hasattr(value, "isoformat") else value


@moderator_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_retract(request, pk):
    case = get_object_or_404(Case, pk=pk)
    form = RetractForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.retract(
                case,
                moderator=request.user,
                reason=form.cleaned_data["reason"],
                translations=form.translations(),
            )
        except services.ModerationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Case #%(id)s was withdrawn.") % {"id": pk})
            return redirect(case.get_absolute_url())
    return render(request, "moderation/case_retract.html", {"case": case, "form": form})
