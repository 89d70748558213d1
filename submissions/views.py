"""The public side of intake: the report form, its receipt, and the status page.

No page here puts a receipt code or any report data in a URL: everything travels in POST
bodies, and every response says `Cache-Control: no-store` so that no copy stays behind in a
browser's or a proxy's cache.
"""

import logging

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.db import InternalError
from django.forms.utils import ErrorDict
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from tracker.security import DATABASE_DOWN

from . import formtoken, ratelimit, services
from .error_summary import error_links
from .forms import AnswerForm, ReceiptCodeForm, SourceFormSet, SubmissionForm, WithdrawForm
from .status import status_in_plain_words

logger = logging.getLogger(__name__)

VISIBLE_SOURCE_ROWS = 2


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def submit(request):
    data = request.POST if request.method == "POST" else None
    form = SubmissionForm(data, request.FILES or None)
    sources = SourceFormSet(data, prefix="sources")
    if data is None:
        return _render_form(request, form, sources)
    if body_was_cut_off(request):
        return _render_form(request, *_as_draft(form, sources), notice="cut_off", status=400)
    form_ok, sources_ok = form.is_valid(), sources.is_valid()
    if not (form_ok and sources_ok):
        return _render_form(request, form, sources)
    try:
        return _store(request, form, sources)
    except (*DATABASE_DOWN, InternalError, services.DeadlinePassed) as error:
        # Down, read-only, locked or too slow: nothing was stored; say so, keep the draft.
        logger.warning("report not stored: %s", type(error).__name__)
        response = _render_form(
            request, *_as_draft(form, sources), notice="unavailable", status=503
        )
        response["Retry-After"] = str(settings.DATABASE_UNAVAILABLE_RETRY_AFTER)
        return response


def _store(request, form, sources):
    """Count the report (site-wide, then for its sender) and store it, or say why not."""
    deadline = services.deadline_from_now()
    if ratelimit.count_site("submit") > settings.SUBMISSIONS_SITE_PER_HOUR:
        return _render_form(request, *_as_draft(form, sources), notice="site_busy", status=429)
    held = ratelimit.count("submit", request) > settings.SUBMISSIONS_PER_HOUR
    try:
        _submission, code = services.create_submission(
            form_nonce=form.cleaned_data["form_nonce"],
            fields=form.submission_fields(),
            sources=sources.sources(),
            files=form.cleaned_data["attachments"],
            contact=form.cleaned_data["contact"],
            language=(get_language() or settings.LANGUAGE_CODE)[:2],
            held=held,
            deadline=deadline,
        )
    except services.AlreadySubmitted as already:
        if already.code:
            context = {"code": already.code, "again": True}
            return render(request, "submissions/receipt.html", context)
        return render(request, "submissions/already_received.html")
    return render(request, "submissions/receipt.html", {"code": code})


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def status(request):
    if request.method != "POST":
        return render(request, "submissions/status_lookup.html", {"form": ReceiptCodeForm()})
    submission, refusal = _find(request)
    if refusal:
        return refusal
    return _render_status(request, submission)


@require_POST
@never_cache
def answer(request):
    submission, refusal = _find(request)
    if refusal:
        return refusal
    form = AnswerForm(request.POST, request.FILES)
    if body_was_cut_off(request):
        return _render_status(request, submission, answer_form=form, notice="cut_off")
    if not form.is_valid():
        return _render_status(request, submission, answer_form=form)
    try:
        services.answer_question(
            submission, text=form.cleaned_data["text"], files=form.cleaned_data["attachments"]
        )
    except services.NotAllowed:
        return _render_status(request, submission, notice="no_open_question")
    submission.refresh_from_db()
    return _render_status(request, submission, notice="answered")


@require_POST
@never_cache
def withdraw(request):
    submission, refusal = _find(request)
    if refusal:
        return refusal
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _render_status(request, submission, withdraw_form=form)
    try:
        submission = services.withdraw(submission)
    except services.NotAllowed:
        return _render_status(request, submission, notice="cannot_withdraw")
    return _render_status(request, submission, notice="withdrawn")


@never_cache
def csrf_failure(request, reason=""):
    """A POST without a valid CSRF token: a page left open for hours, or Tor Browser's "New
    Identity". Nothing was done; explain that, and give the draft back when we can."""
    match = request.resolver_match
    view_name = match.view_name if match else ""
    context = {"view_name": view_name}
    if request.method == "POST" and view_name == "submissions:submit":
        form, sources = _as_draft(
            SubmissionForm(request.POST), SourceFormSet(request.POST, prefix="sources")
        )
        return _render_form(request, form, sources, notice="csrf", status=403)
    if request.method == "POST" and view_name == "submissions:answer":
        context["answer_form"] = _as_draft(AnswerForm(request.POST))[0]
    return render(request, "submissions/csrf_failure.html", context, status=403)


def body_was_cut_off(request):
    """Whether the request body ended before its Content-Length: the connection broke while
    sending (a file half-way). Django's multipart parser then keeps the fields it got and
    drops the file; such a request must store nothing. Once parsed, a complete body has
    been read to its end (the parser reads it all), so fewer bytes mean it was cut off."""
    request.POST  # noqa: B018 (parse the body if not done yet)
    stream = getattr(request, "_stream", None)
    return isinstance(stream, LimitedStream) and stream._pos < stream.limit


def _find(request):
    """(submission, None), or (None, the response to give). A right code always works;
    only wrong ones count against the client's hourly limit (RECEIPT_LOOKUPS_PER_HOUR), so
    someone else's guessing never locks out the owner of a real code. A wrong, malformed
    or empty code all get the same answer after the same work."""
    code = request.POST.get("code", "")
    submission = services.find_by_receipt(code)
    if submission is not None:
        return submission, None
    context = {"form": ReceiptCodeForm(initial={"code": code}), "not_found": True}
    if ratelimit.count("wrong-code", request) > settings.RECEIPT_LOOKUPS_PER_HOUR:
        context = {"form": ReceiptCodeForm(initial={"code": code}), "throttled": True}
        return None, render(request, "submissions/status_lookup.html", context, status=429)
    return None, render(request, "submissions/status_lookup.html", context)


def _render_status(request, submission, *, answer_form=None, withdraw_form=None, notice=""):
    code = request.POST.get("code", "")
    can_answer = submission.status == submission.Status.NEEDS_INFO
    context = {
        "submission": submission,
        "status": status_in_plain_words(submission),
        "messages_thread": submission.messages.prefetch_related("attachments"),
        "answer_form": (answer_form or AnswerForm(initial={"code": code})) if can_answer else None,
        "withdraw_form": (
            (withdraw_form or WithdrawForm(initial={"code": code})) if submission.is_open else None
        ),
        "public_case": submission.case if submission.case and submission.case.is_public else None,
        "notice": notice,
    }
    return render(request, "submissions/status.html", context)


def _render_form(request, form, sources, *, notice="", status=200):
    rows = list(enumerate(sources.forms, start=1))
    extra_rows = rows[VISIBLE_SOURCE_ROWS:]
    context = {
        "form": form,
        "sources": sources,
        "first_rows": rows[:VISIBLE_SOURCE_ROWS],
        "extra_rows": extra_rows,
        "extra_rows_open": sources.is_bound
        and any(row.has_changed() or row.errors for _number, row in extra_rows),
        "form_token": formtoken.renew(request.POST.get("form_token")),
        "notice": notice,
        "files_dropped": form.is_bound,
        "error_links": error_links(form, sources),
    }
    return render(request, "submissions/submit.html", context, status=status)


def _as_draft(*forms):
    """The bound forms, shown with what was typed and without judging it: no validation is
    run and no error shown (for a page that explains why nothing was sent)."""
    for form in forms:
        if hasattr(form, "forms"):  # a formset and its rows
            form._non_form_errors = form.error_class()
            form._errors = []
            _as_draft(*form.forms)
        else:
            form._errors = ErrorDict()
    return forms
