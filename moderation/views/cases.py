from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tracker.models import Case

from .. import services
from ..decorators import moderator_required
from ..forms import CaseEditForm, RetractForm


@moderator_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_edit(request, pk):
    case = get_object_or_404(Case, pk=pk)
    # The form edits a copy, so the service compares against the stored case.
    form = CaseEditForm(request.POST or None, instance=Case.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = services.edit_case(
                case,
                moderator=request.user,
                changes=data,
                correction_note=data.get("correction_note", ""),
            )
        except services.ModerationError as error:
            form.add_error(None, str(error))
        else:
            if changed:
                messages.success(request, _("Case #%(id)s saved.") % {"id": pk})
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("moderation:case_edit", pk=pk)
    events = case.audit_events.all()[:50]
    return render(
        request, "moderation/case_edit.html", {"case": case, "form": form, "audit_events": events}
    )


@moderator_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_retract(request, pk):
    case = get_object_or_404(Case, pk=pk)
    form = RetractForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.retract(case, moderator=request.user, reason=form.cleaned_data["reason"])
        except services.ModerationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Case #%(id)s was withdrawn.") % {"id": pk})
            return redirect(case.get_absolute_url())
    return render(request, "moderation/case_retract.html", {"case": case, "form": form})
