"""Every state change of moderation: one function per verb, each in one transaction, each
writing its audit event. Views and the admin call these; nothing else changes a status.

- `handling.py`: working on a submission (claim, release, verify a source, see the
  contact, ask the submitter, reject and undo a rejection);
- `publishing.py`: publish as a new case, the four-eyes approval, merge into a case;
- `case_changes.py`: edit and retract a case (the moderation screens and the admin);
- `common.py`: the audit record and the row lock they share.

Each function first locks the submission (or case) row with SELECT … FOR UPDATE and checks
that the change is still valid, so two moderators deciding at once produce exactly one
outcome: the second waits for the first to commit, then sees the new state and gets a
`Conflict`. (SQLite has no row locks; there the settings make every transaction take the
write lock at BEGIN, which serialises them the same way.)
"""

from ..confidence import ModerationError, case_grade, check_confidence, suggested_confidence
from .case_changes import StaleEdit, changes_since, edit_case, retract
from .common import Conflict, record
from .handling import (
    ask,
    can_undo_rejection,
    claim,
    reject,
    reject_as_spam,
    release,
    undo_rejection,
    undo_window,
    verify_source,
    view_contact,
)
from .publishing import (
    approve_publication,
    decline_publication,
    draft_version,
    merge,
    publish,
    sources_to_merge,
)

__all__ = [
    "Conflict",
    "StaleEdit",
    "changes_since",
    "ModerationError",
    "approve_publication",
    "can_undo_rejection",
    "ask",
    "case_grade",
    "check_confidence",
    "claim",
    "decline_publication",
    "draft_version",
    "edit_case",
    "merge",
    "publish",
    "record",
    "reject",
    "reject_as_spam",
    "release",
    "retract",
    "sources_to_merge",
    "undo_rejection",
    "undo_window",
    "suggested_confidence",
    "verify_source",
    "view_contact",
]
