import re
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# %(name)s, %d, %s: a translation that drops or renames one fails at run time.
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]")


def placeholder_problems(entry):
    """The translations of a python-format entry whose placeholders differ from the msgid's."""
    if "python-format" not in entry.flags:
        return []
    if entry.msgid_plural:
        expected = sorted(PLACEHOLDER.findall(entry.msgid_plural))
        translations = list(entry.msgstr_plural.values())
    else:
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        translations = [entry.msgstr]
    return [text for text in translations if text and sorted(PLACEHOLDER.findall(text)) != expected]


class Command(BaseCommand):
    help = (
        "Fail when a catalogue of a language in settings.LANGUAGES (other than the source "
        "language, English) is missing, or has untranslated, fuzzy or obsolete entries, or a "
        "translation whose placeholders (%(name)s) differ from the English."
    )

    def handle(self, *args, **options):
        problems = []
        locale_dir = Path(settings.LOCALE_PATHS[0])
        for code, _name in settings.LANGUAGES:
            if code == settings.LANGUAGE_CODE:
                continue
            for domain in ("django",):
                path = locale_dir / code / "LC_MESSAGES" / f"{domain}.po"
                if not path.exists():
                    problems.append(f"{path}: missing")
                    continue
                catalogue = polib.pofile(str(path))
                for entry in catalogue.untranslated_entries():
                    problems.append(f"{path}: untranslated: {entry.msgid[:60]!r}")
                for entry in catalogue.fuzzy_entries():
                    problems.append(f"{path}: fuzzy: {entry.msgid[:60]!r}")
                for entry in catalogue.translated_entries():
                    if placeholder_problems(entry):
                        problems.append(f"{path}: placeholders differ: {entry.msgid[:60]!r}")
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} translation problems.")
        self.stdout.write(self.style.SUCCESS("Every catalogue is complete."))
