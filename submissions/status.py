"""What the submitter is told about their submission, in plain words."""

from django.utils.translation import gettext_lazy as _

from .models import Submission

Status = Submission.Status
Reason = Submission.RejectionReason

HEADLINES = {
    Status.NEW: _("Received. It is waiting for a moderator."),
    # A held report is told what a new one is told: its sender did nothing wrong.
    Status.HELD: _("Received. It is waiting for a moderator."),
    Status.IN_REVIEW: _("A moderator is checking your report."),
    Status.NEEDS_INFO: _("A moderator has a question for you."),
    Status.ANSWERED: _("We received your answer. A moderator will read it."),
    Status.PUBLISHED: _("Your report was published as a case."),
    Status.REJECTED: _("Your report was not published."),
    Status.WITHDRAWN: _("You withdrew this report. Nothing from it will be published."),
}

EXPLANATIONS = {
    Status.NEW: _(
        "Moderators check every report against its sources. This can take some days. "
        "Come back with your receipt code to see how it goes."
    ),
    Status.HELD: _(
        "Moderators check every report against its sources. This can take some days. "
        "Come back with your receipt code to see how it goes."
    ),
    Status.IN_REVIEW: _(
        "They may ask you a question here; come back with your receipt code to see it."
    ),
    Status.NEEDS_INFO: _("Please read the question below and answer it if you can."),
    Status.ANSWERED: _("They may ask again; come back with your receipt code to see it."),
    Status.PUBLISHED: _("Thank you. The published case does not name you."),
    Status.WITHDRAWN: _("Your contact details will be deleted on schedule."),
}

REJECTION_REASONS = {
    Reason.SPAM: _("It did not look like a report of a refusal."),
    Reason.DUPLICATE: _("It describes a case we already have or another report already sent."),
    Reason.OUT_OF_SCOPE: _("It is outside what this project documents."),
    Reason.UNVERIFIABLE: _("We could not check it against sources we can rely on."),
    Reason.UNSAFE: _("Publishing it could endanger someone."),
}


def status_in_plain_words(submission):
    """A headline and one or two sentences for the submitter."""
    if submission.status == Status.REJECTED:
        explanation = REJECTION_REASONS.get(submission.rejection_reason, "")
    else:
        explanation = EXPLANATIONS.get(submission.status, "")
    return {"headline": HEADLINES[submission.status], "explanation": explanation}
