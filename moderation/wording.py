"""A report is never published as written: a public summary that repeats a long run of the
submitter's own words is refused. Their wording can identify them, and the record speaks in
the project's own neutral words."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Words in a row that a summary may share with the report; more is copying, not citing a
# name, a unit or a place.
VERBATIM_RUN_WORDS = 8
WORD = re.compile(r"\w+")


def _words(text):
    return [word.casefold() for word in WORD.findall(text or "")]


def longest_shared_run(text, source):
    """The longest run of consecutive words `text` shares with `source`, as a list."""
    words, source_words = _words(text), _words(source)
    if not words or not source_words:
        return []
    # Dynamic programming over word positions; reports are at most a few thousand words.
    best_end, best_length = 0, 0
    previous = [0] * (len(source_words) + 1)
    for i, word in enumerate(words, start=1):
        current = [0] * (len(source_words) + 1)
        for j, source_word in enumerate(source_words, start=1):
            if word == source_word:
                current[j] = previous[j - 1] + 1
                if current[j] > best_length:
                    best_end, best_length = i, current[j]
        previous = current
    return words[best_end - best_length : best_end]


def refuse_verbatim(text, report_text):
    """ValidationError if `text` repeats VERBATIM_RUN_WORDS or more words of the report."""
    run = longest_shared_run(text, report_text)
    if len(run) >= VERBATIM_RUN_WORDS:
        raise ValidationError(
            _(
                "This repeats %(count)d words of the report word for word (“%(words)s”). "
                "Write it in the project's own neutral words: a report is never published "
                "as written."
            )
            % {"count": len(run), "words": " ".join(run)}
        )
