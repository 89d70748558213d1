import datetime

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import Left
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from submissions.models import Attachment, Submission

from .. import services
from ..decorators import moderator_required
from ..duplicates import duplicate_hints
from ..forms import BulkSpamForm, QueueFilterForm
from ..models import PublicationApproval

RECENTLY_DECIDED_DAYS = 30
PAGE_SIZE = 50
# The start of the report each row shows; the full text is not read for the queue.
TEXT_START_CHARS = 140


def _filtered(form, user):
    submissions = (
        Submission.objects.select_related("claimed_by", "home_region")
        .defer("what_happened", "contact_encrypted")
        .annotate(text_start=Left("what_happened", TEXT_START_CHARS + 1))
    )
    submissions = submissions.annotate(
        attachment_count=Count("attachments", distinct=True),
        source_count=Count("sources", distinct=True),
        awaiting_approval=Exists(
            PublicationApproval.objects.pending().filter(submission=OuterRef("pk"))
        ),
    )
    data = form.cleaned_data if form.is_valid() else {}
    state = data.get("state")
    if state == QueueFilterForm.DECIDED:
        since = timezone.now() - datetime.timedelta(days=RECENTLY_DECIDED_DAYS)
        submissions = submissions.filter(
            status__in=Submission.DECIDED_STATUSES, decided_at__gte=since
        ).order_by("-decided_at", "-id")
    else:
        # Held reports (over a client's hourly budget) are only shown when asked for.
        statuses = [state] if state else Submission.QUEUE_STATUSES
        # Oldest first: whoever waited longest is served first.
        submissions = submissions.filter(status__in=statuses).order_by("created_at", "id")
    if data.get("language"):
        submissions = submissions.filter(language=data["language"])
    if data.get("mine"):
        submissions = submissions.filter(claimed_by=user)
    if data.get("attachments"):
        submissions = submissions.filter(
            Exists(Attachment.objects.filter(submission=OuterRef("pk")))
        )
    return submissions


@moderator_required
@require_safe
def queue(request):
    form = QueueFilterForm(request.GET)
    counts = dict(Submission.objects.open().values_list("status").annotate(n=Count("id")))
    state_counts = [
        (status, status.label, counts.get(status, 0)) for status in Submission.OPEN_STATUSES
    ]
    page = Paginator(_filtered(form, request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    submissions = list(page.object_list)
    hints = duplicate_hints(submissions)  # one query for the whole page
    now = timezone.now()
    context = {
        "form": form,
        "state_counts": state_counts,
        "page": page,
        "rows": [(s, hints[s.pk], services.can_undo_rejection(s, now)) for s in submissions],
        "submissions": submissions,
        "undo_hours": settings.MODERATION_UNDO_REJECTION_HOURS,
        "query_string": query.urlencode(),
        "Status": Submission.Status,
    }
    return render(request, "moderation/queue.html", context)


@moderator_required
@require_POST
def bulk_reject_spam(request):
    """First a page listing exactly the chosen reports; only its confirmation rejects."""
    form = BulkSpamForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("submissions", [])))
        return redirect("moderation:queue")
    chosen = form.cleaned_data["submissions"]
    if "confirm" not in request.POST:
        context = {
            "chosen": chosen.order_by("created_at", "id"),
            "undo_hours": settings.MODERATION_UNDO_REJECTION_HOURS,
        }
        return render(request, "moderation/spam_confirm.html", context)
    count = services.reject_as_spam(chosen, moderator=request.user)
    hours = settings.MODERATION_UNDO_REJECTION_HOURS
    messages.success(
        request,
        ngettext(
            "%(count)d submission rejected as spam.",
            "%(count)d submissions rejected as spam.",
            count,
        )
        % {"count": count}
        + " "
        + ngettext(
            "It can be undone for %(hours)d hour under “recently decided”.",
            "It can be undone for %(hours)d hours under “recently decided”.",
            hours,
        )
        % {"hours": hours},
    )
    skipped = len(form.cleaned_data["submissions"]) - count
    if skipped:
        messages.warning(
            request,
            ngettext(
                "%(count)d submission changed meanwhile and was left alone.",
                "%(count)d submissions changed meanwhile and were left alone.",
                skipped,
            )
            % {"count": skipped},
        )
    return redirect("moderation:queue")


@moderator_required
@require_POST
def undo_rejection(request, pk):
    submission = get_object_or_404(Submission, pk=pk)
    try:
        restored = services.undo_rejection(submission, moderator=request.user)
    except services.ModerationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The rejection of submission #%(id)s was undone; it is “%(status)s” again.")
            % {"id": pk, "status": restored.get_status_display()},
        )
    if request.POST.get("next") == "queue":
        return redirect(reverse("moderation:queue") + "?state=decided")
    return redirect("moderation:review", pk=pk)
