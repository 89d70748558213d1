from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tracker.models import CaseOutcome, ContentLanguage

from .. import services
from ..decorators import moderator_required
from ..duplicates import find_case, find_cases
from ..forms import AskForm, DeclineForm, MergeForm, PublishForm, RejectForm, initial_case_data
from .review import acted, load_submission, render_review


def _to_queue(request, message):
    messages.success(request, message)
    return redirect("moderation:queue")


@moderator_required
@require_http_methods(["GET", "HEAD", "POST"])
def publish(request, pk):
    submission = load_submission(pk)
    sources = list(submission.sources.all())
    suggested = services.suggested_confidence(sources)
    form = PublishForm(
        request.POST or None,
        initial=initial_case_data(submission),
        suggested=suggested,
        report_text=submission.what_happened,
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.publish(submission, moderator=request.user, case_data=form.case_data())
        except services.ModerationError as error:
            form.add_error(None, str(error))  # the form keeps what the moderator typed
        else:
            if case.is_public:
                message = _("Published as case #%(id)s: %(title)s")
            else:
                message = _("Case #%(id)s waits for a second moderator's approval.")
            return _to_queue(request, message % {"id": case.pk, "title": case.title})
    return render(
        request,
        "moderation/publish.html",
        {
            "submission": submission,
            "form": form,
            "suggested": suggested,
            "has_verified": any(source.is_verified for source in sources),
        },
    )


@moderator_required
@require_POST
def approve(request, pk):
    submission = load_submission(pk)
    seen = request.POST.get("case_version") or None
    case, ok = acted(request, submission, services.approve_publication, seen_version=seen)
    if ok:
        return _to_queue(request, _("Approved: case #%(id)s is published.") % {"id": case.pk})
    return redirect("moderation:review", pk=pk)


@moderator_required
@require_POST
def decline(request, pk):
    submission = load_submission(pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what should change before sending the draft back."))
        return redirect("moderation:review", pk=pk)
    _result, ok = acted(
        request, submission, services.decline_publication, note=form.cleaned_data["note"]
    )
    if ok:
        return _to_queue(request, _("The draft was sent back; the report is in review again."))
    return redirect("moderation:review", pk=pk)


@moderator_required
@require_http_methods(["GET", "HEAD", "POST"])
def merge(request, pk):
    """Choose the case by search, with its preview; then a confirmation page lists exactly
    what the merge adds; only its confirmation merges, into the version it showed."""
    submission = load_submission(pk)
    initial = {"outcomes": submission.outcomes, "case": request.GET.get("case")}
    form = MergeForm(request.POST or None, initial=initial, report_text=submission.what_happened)
    if request.method == "POST" and form.is_valid():
        case = form.cleaned_data["case"]
        if "confirm" not in request.POST:
            return render(
                request,
                "moderation/merge_confirm.html",
                {
                    "submission": submission,
                    "form": form,
                    "case": case,
                    **_merge_plan(form, submission),
                },
            )
        try:
            case = services.merge(
                submission,
                moderator=request.user,
                case=case,
                merge_data=form.merge_data(),
                seen_version=form.cleaned_data.get("case_version"),
            )
        except services.ModerationError as error:
            form.add_error(None, str(error))
        else:
            return _to_queue(request, _("Merged into case #%(id)s.") % {"id": case.pk})
    query = request.GET.get("q", "").strip()
    chosen = form["case"].value()
    context = {
        "submission": submission,
        "form": form,
        "query": query,
        "found": find_cases(query) if query else [],
        "chosen": find_case(chosen),
    }
    return render(request, "moderation/merge.html", context)


def _merge_plan(form, submission):
    """What the merge would add, as the confirmation page lists it."""
    data, case = form.cleaned_data, form.cleaned_data["case"]
    known = set(case.outcomes)
    merge_data = form.merge_data()
    return {
        "sources_added": services.sources_to_merge(submission, case),
        "outcomes_added": [
            CaseOutcome.Outcome(value).label for value in data["outcomes"] if value not in known
        ],
        "merge_data": merge_data,
        # What is added to the text, in each language: (language's name, code, text).
        "summary_additions": _in_languages(merge_data["summary_addition"]),
        "event_descriptions": _in_languages(merge_data.get("event", {}).get("description", {})),
    }


def _in_languages(texts):
    return [(ContentLanguage(code).label, code, text) for code, text in texts.items()]


@moderator_required
@require_POST
def ask(request, pk):
    submission = load_submission(pk)
    form = AskForm(request.POST)
    if not form.is_valid():
        return render_review(request, submission, status=400, ask_form=form)
    _result, ok = acted(request, submission, services.ask, question=form.cleaned_data["question"])
    if ok:
        messages.success(request, _("Question sent; the submission waits for an answer."))
    return redirect("moderation:review", pk=pk)


@moderator_required
@require_POST
def reject(request, pk):
    submission = load_submission(pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return render_review(request, submission, status=400, reject_form=form)
    _result, ok = acted(
        request,
        submission,
        services.reject,
        reason=form.cleaned_data["reason"],
        note=form.cleaned_data["note"],
    )
    if ok:
        return _to_queue(request, _("Submission #%(id)s rejected.") % {"id": pk})
    return redirect("moderation:review", pk=pk)
