from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# The languages a region is named in; the columns are name_<language>.
REGION_NAME_LANGUAGES = ("en", "ru", "uk")


def region_name_field(language=None):
    """The Region column that holds a name in `language` (default: the active one), for
    ordering and values() queries; English where the language has no column."""
    language = (language or get_language() or "en")[:2]
    return f"name_{language}" if language in REGION_NAME_LANGUAGES else "name_en"


class Region(models.Model):
    """A home region of a unit or of people: a Russian federal subject, an occupied region
    of Ukraine, or "other". Loaded as data by a migration from tracker/data/regions.json."""

    class Kind(models.TextChoices):
        REPUBLIC = "republic", _("republic")
        KRAI = "krai", _("krai")
        OBLAST = "oblast", _("oblast")
        FEDERAL_CITY = "federal_city", _("federal city")
        AUTONOMOUS_OBLAST = "autonomous_oblast", _("autonomous oblast")
        AUTONOMOUS_OKRUG = "autonomous_okrug", _("autonomous okrug")
        OCCUPIED = "occupied", _("occupied region of Ukraine")
        OTHER = "other", _("other")

    code = models.CharField(
        max_length=10, unique=True, help_text=_("ISO 3166-2 code, e.g. RU-KB; used in URLs.")
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ru = models.CharField(_("name (Russian)"), max_length=100)
    name_uk = models.CharField(_("name (Ukrainian)"), max_length=100)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name

    @property
    def name(self):
        """The name in the active interface language."""
        return getattr(self, region_name_field()) or self.name_en
