from django.contrib import messages
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from submissions.crypto import InvalidToken
from submissions.models import Attachment, Submission, SubmissionSource
from tracker.models import Case
from tracker.preservation.models import SourceSnapshot

from .. import services
from ..decorators import moderator_required
from ..duplicates import possible_duplicates
from ..forms import AskForm, RejectForm, SourceVerificationForm

# Each source's snapshots (tracker/preservation), listed under it; the text is not needed.
SNAPSHOTS_WITHOUT_TEXT = Prefetch("snapshots", queryset=SourceSnapshot.objects.defer("text"))

# Types the submission form accepts; anything else is only offered as a download.
INLINE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}


def render_review(request, submission, *, status=200, **forms):
    """The review screen; a view whose form did not validate passes it here bound."""
    sources = list(
        submission.sources.select_related("verified_by").prefetch_related(SNAPSHOTS_WITHOUT_TEXT)
    )
    cases, others = possible_duplicates(submission)
    approval = getattr(submission, "publication_approval", None)
    context = {
        "submission": submission,
        "sources": [
            (source, forms.get(f"source_{source.pk}") or SourceVerificationForm(instance=source))
            for source in sources
        ],
        "suggested_confidence": Case.Confidence(services.suggested_confidence(sources)).label,
        "attachments": submission.attachments.all(),
        "messages_thread": submission.messages.select_related("moderator"),
        "duplicate_cases": cases,
        "duplicate_submissions": others,
        "audit_events": submission.audit_events.select_related("case"),
        "approval": approval,
        "approval_case_version": services.draft_version(approval.case) if approval else "",
        "ask_form": forms.get("ask_form") or AskForm(),
        "reject_form": forms.get("reject_form") or RejectForm(),
        "can_view_contact": request.user.has_perm("moderation.view_contact"),
        "is_mine": submission.claimed_by_id == request.user.pk,
        "can_undo_rejection": services.can_undo_rejection(submission),
        "undo_until": submission.decided_at + services.undo_window()
        if submission.decided_at
        else None,
    }
    return render(request, "moderation/review.html", context, status=status)


def load_submission(pk):
    return get_object_or_404(
        Submission.objects.select_related("claimed_by", "home_region", "case"), pk=pk
    )


def acted(request, submission, action, **kwargs):
    """Run a service; a conflict or refusal becomes a message on the review screen."""
    try:
        return action(submission, moderator=request.user, **kwargs), True
    except services.ModerationError as error:
        messages.error(request, str(error))
        return None, False


@moderator_required
@require_safe
def review(request, pk):
    return render_review(request, load_submission(pk))


@moderator_required
@require_POST
def claim(request, pk):
    submission = load_submission(pk)
    _result, ok = acted(request, submission, services.claim)
    if ok:
        messages.success(request, _("You are reviewing submission #%(id)s.") % {"id": pk})
    return redirect("moderation:review", pk=pk)


@moderator_required
@require_POST
def release(request, pk):
    submission = load_submission(pk)
    _result, ok = acted(request, submission, services.release)
    if ok:
        messages.success(request, _("Submission #%(id)s is back in the queue.") % {"id": pk})
    return redirect("moderation:review", pk=pk)


@moderator_required
@require_POST
def verify_source(request, pk, source_pk):
    submission = load_submission(pk)
    source = get_object_or_404(SubmissionSource, pk=source_pk, submission=submission)
    form = SourceVerificationForm(request.POST, instance=source)
    if not form.is_valid():
        return render_review(request, submission, status=400, **{f"source_{source.pk}": form})
    data = form.cleaned_data
    try:
        services.verify_source(
            source,
            moderator=request.user,
            reachable=data["reachable"],
            supports_report=data["supports_report"],
            independent=data["independent"],
            note=data["verification_note"],
            account_from=data["account_from"],
            says_unconfirmed=data["says_unconfirmed"],
        )
    except services.ModerationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Source checked."))
    return redirect("moderation:review", pk=pk)


@moderator_required
@require_safe
def attachment(request, pk, attachment_pk):
    """An attachment, to moderators only: images shown inline, everything else downloaded.
    nosniff and a sandboxing CSP keep a disguised file from running in the browser."""
    item = get_object_or_404(Attachment, pk=attachment_pk, submission_id=pk)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    inline = item.content_type in INLINE_TYPES
    extension = {"application/pdf": "pdf"}.get(item.content_type, item.file.name.rsplit(".", 1)[-1])
    response = FileResponse(
        handle,
        content_type=item.content_type
        if inline or item.content_type == "application/pdf"
        else "application/octet-stream",
        as_attachment=not inline,
        filename=f"submission-{pk}-{item.pk}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    add_never_cache_headers(response)
    return response


@moderator_required
@moderator_required(permission="moderation.view_contact")
@require_POST
def contact(request, pk):
    """The decrypted contact, on its own page after a deliberate POST; each look is audited."""
    submission = load_submission(pk)
    error = ""
    try:
        plain = services.view_contact(submission, moderator=request.user)
    except InvalidToken:
        plain, error = "", _("The contact cannot be decrypted with the configured keys.")
    response = render(
        request,
        "moderation/contact.html",
        {"submission": submission, "contact": plain, "error": error},
    )
    add_never_cache_headers(response)
    return response
