"""The confidence rule: what a case's verified sources support.

Confirmed: two or more verified sources, each independent of the others. Reported: one
verified source. Unconfirmed: none. A moderator may lower the grade with a reason, never
raise it. Used by the publish form (to explain) and by moderation/services.py (to enforce).
"""

from django.utils.translation import gettext as _

from tracker.models import Case

Confidence = Case.Confidence
CONFIDENCE_RANK = {Confidence.UNCONFIRMED: 0, Confidence.REPORTED: 1, Confidence.CONFIRMED: 2}


class ModerationError(Exception):
    """An action that cannot be done; the message tells the moderator why."""


def grade(independent_count, verified_count):
    if independent_count >= 2:
        return Confidence.CONFIRMED
    if verified_count >= 1:
        return Confidence.REPORTED
    return Confidence.UNCONFIRMED


def suggested_confidence(sources):
    """The grade these submitted sources support."""
    verified = [source for source in sources if source.is_verified]
    return grade(sum(1 for source in verified if source.independent), len(verified))


def check_confidence(chosen, suggested, reason):
    """The grade to publish with; raises ModerationError if the choice breaks the rule."""
    chosen = chosen or suggested
    if CONFIDENCE_RANK[chosen] > CONFIDENCE_RANK[suggested]:
        raise ModerationError(
            _("The verified sources support at most “%(grade)s”.")
            % {"grade": Confidence(suggested).label}
        )
    if CONFIDENCE_RANK[chosen] < CONFIDENCE_RANK[suggested] and not (reason or "").strip():
        raise ModerationError(_("Say why the confidence is lower than the sources support."))
    return chosen
