import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from submissions.models import Attachment, Submission

from .. import services
from ..decorators import moderator_required
from ..forms import BulkSpamForm, QueueFilterForm
from ..models import PublicationApproval

RECENTLY_DECIDED_DAYS = 30
PAGE_SIZE = 50


def _filtered(form, user):
    submissions = Submission.objects.select_related("claimed_by", "home_region").annotate(
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
    context = {
        "form": form,
        "state_counts": state_counts,
        "page": page,
        "submissions": page.object_list,
        "query_string": query.urlencode(),
        "Status": Submission.Status,
    }
    return render(request, "moderation/queue.html", context)


@moderator_required
@require_POST
def bulk_reject_spam(request):
    form = BulkSpamForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("submissions", [])))
        return redirect("moderation:queue")
    count = services.reject_as_spam(form.cleaned_data["submissions"], moderator=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d submission rejected as spam.",
            "%(count)d submissions rejected as spam.",
            count,
        )
        % {"count": count},
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
