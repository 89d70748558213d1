"""The apps depend in one direction: catalogue (tracker) ← intake (submissions) ← review
(moderation). ARCHITECTURE.md documents the one deliberate exception."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# The deliberate exceptions (ARCHITECTURE.md): intake writes the audit events of the
# submitter's own transitions; preservation captures a report's source when a moderator
# verifies it, before the source belongs to a case.
ALLOWED_UPWARD = {
    ("submissions", "moderation.models"),
    ("tracker/preservation/tasks.py", "submissions.models"),
}


def imported_modules(app):
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                yield from ((path, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                yield path, node.module


@pytest.mark.parametrize(
    ("app", "forbidden"),
    [("tracker", ("submissions", "moderation")), ("submissions", ("moderation",))],
)
def test_an_app_does_not_import_the_apps_above_it(app, forbidden):
    wrong = [
        f"{path.relative_to(ROOT)}: {module}"
        for path, module in imported_modules(app)
        if module.split(".")[0] in forbidden
        and (app, module) not in ALLOWED_UPWARD
        and (str(path.relative_to(ROOT)), module) not in ALLOWED_UPWARD
    ]
    assert wrong == []
