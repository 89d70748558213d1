"""The committed catalogues are complete, and a fresh machine compiles them without gettext."""

import gettext
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
TRANSLATED = ["ru", "uk"]


@pytest.fixture
def locale_copy(tmp_path, settings):
    """A copy of locale/ that the commands read and write instead of the real one."""
    copy = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, copy, ignore=shutil.ignore_patterns("*.mo"))
    settings.LOCALE_PATHS = [copy]
    return copy


def catalogue(locale_dir, language):
    return locale_dir / language / "LC_MESSAGES" / "django.po"


def test_the_committed_catalogues_are_complete(capsys):
    call_command("check_translations")

    assert "Every catalogue is complete." in capsys.readouterr().out


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_catalogue_declares_its_language_and_three_plural_forms(language):
    po = polib.pofile(str(catalogue(LOCALE_DIR, language)))

    assert po.metadata["Language"] == language
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert po.metadata["Plural-Forms"].startswith("nplurals=3;")
    assert all(len(entry.msgstr_plural) == 3 for entry in po if entry.msgid_plural)


def test_compile_translations_writes_mo_files_gettext_can_read(locale_copy):
    call_command("compile_translations", verbosity=0)

    for language in TRANSLATED:
        mo = catalogue(locale_copy, language).with_suffix(".mo")
        with mo.open("rb") as compiled:
            translations = gettext.GNUTranslations(compiled)
        assert translations.gettext("Report a case") != "Report a case"
    russian = gettext.translation("django", locale_copy, languages=["ru"])
    assert russian.ngettext("%(total)s case", "%(total)s cases", 3) == "%(total)s случая"


def test_check_translations_fails_on_an_untranslated_entry(locale_copy):
    path = catalogue(locale_copy, "uk")
    po = polib.pofile(str(path))
    po.append(polib.POEntry(msgid="A sentence nobody translated", msgstr=""))
    po.save()

    with pytest.raises(CommandError) as failure:
        call_command("check_translations")

    assert "1 translation problems" in str(failure.value)


def test_check_translations_fails_on_a_fuzzy_entry(locale_copy):
    path = catalogue(locale_copy, "ru")
    po = polib.pofile(str(path))
    po[0].flags.append("fuzzy")
    po.save()

    with pytest.raises(CommandError):
        call_command("check_translations")

    assert po[0].fuzzy


def test_check_translations_fails_on_a_broken_placeholder(locale_copy, capsys):
    path = catalogue(locale_copy, "ru")
    po = polib.pofile(str(path))
    entry = po.find("Case #%(id)s saved.")
    entry.msgstr = "Случай №%(ID)s сохранён."
    po.save()

    with pytest.raises(CommandError):
        call_command("check_translations")

    assert "Case #%(id)s saved." in capsys.readouterr().err


def test_check_translations_fails_when_a_catalogue_is_missing(locale_copy):
    catalogue(locale_copy, "uk").unlink()

    with pytest.raises(CommandError) as failure:
        call_command("check_translations")

    assert "1 translation problems" in str(failure.value)
