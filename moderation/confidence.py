"""The confidence rule as moderation applies it. The rule itself is tracker/grading.py (the
seeds loader and the methodology page use it too); here: which sources count (a report's
verified ones), and the check that a moderator only lowers a grade, with a reason. Used by
the publish and edit forms (to explain) and by moderation/services (to enforce).
"""

from django.utils.translation import gettext as _

from tracker.grading import RANK as CONFIDENCE_RANK
from tracker.grading import grade, settle
from tracker.models import Case

Confidence = Case.Confidence

__all__ = [
    "CONFIDENCE_RANK",
    "ModerationError",
    "case_grade",
    "check_confidence",
    "grade",
    "settle",
    "suggested_confidence",
]


class ModerationError(Exception):
    """An action that cannot be done; the message tells the moderator why."""


def suggested_confidence(sources):
    """The grade these submitted sources support (only verified ones count)."""
    return grade([source for source in sources if source.is_verified]).confidence


def case_grade(case):
    """The Grade a case's own sources support (every source on a case was verified)."""
    return grade(case.sources.all())


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
