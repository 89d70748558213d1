"""Synthetic cases for load testing (`manage.py generate_cases`).

They look like the real record — every region, force, kind and outcome, dates from the
start of the full-scale invasion to today, text first written in Russian, English or
Ukrainian and translated into the others for most cases (a quarter wait for translation,
as real cases do), 1–3 sources and 0–4 timeline events — so that indexes, statistics and
search behave as they would at that size. Every one has `is_synthetic=True`, cites only
example.org URLs, and is removed by `generate_cases --delete`.
"""

import datetime
import random

from django.utils import timezone
from django.utils.text import slugify

from tracker.models import Case, CaseEvent, CaseOutcome, DatePrecision, Region, Source
from tracker.search import search_document

START = datetime.date(2022, 2, 24)

UNITS_EN = [
    "military unit {n}",
    "{k} motorised rifle brigade",
    "{k} Guards tank regiment",
    "{k} separate airborne assault brigade",
    "{k} naval infantry brigade",
    "OMON detachment of the regional Rosgvardiya",
    "SOBR unit of the regional Rosgvardiya",
    "{k} Guards military base",
]
UNITS_RU = [
    "в/ч {n}",
    "{k}-я мотострелковая бригада",
    "{k}-й гвардейский танковый полк",
    "{k}-я отдельная десантно-штурмовая бригада",
    "{k}-я бригада морской пехоты",
    "ОМОН регионального управления Росгвардии",
    "СОБР регионального управления Росгвардии",
    "{k}-я гвардейская военная база",
]
PLACES = [
    ("ua", "Kharkiv oblast", "Харьковская область"),
    ("ua", "Kherson oblast", "Херсонская область"),
    ("ua", "Zaporizhzhia oblast", "Запорожская область"),
    ("ua", "Donetsk oblast", "Донецкая область"),
    ("ua", "Luhansk oblast", "Луганская область"),
    ("ua", "near Bakhmut", "под Бахмутом"),
    ("ua", "near Avdiivka", "под Авдеевкой"),
    ("by", "Belarus, near Gomel", "Беларусь, под Гомелем"),
    ("ru", "Belgorod", "Белгород"),
    ("ru", "Kursk oblast", "Курская область"),
    ("ru", "Rostov-on-Don", "Ростов-на-Дону"),
    ("ru", "the unit's home base", "место постоянной дислокации"),
    ("other", "Armenia", "Армения"),
    ("unknown", "", ""),
]
WHO_EN = {
    "contract": ("contract soldier", "contract soldiers"),
    "conscript": ("conscript", "conscripts"),
    "mobilised": ("mobilised man", "mobilised men"),
    "officer": ("officer", "officers"),
    "unknown": ("serviceman", "servicemen"),
}
WHO_RU = {
    "contract": ("контрактник", "контрактников"),
    "conscript": ("срочник", "срочников"),
    "mobilised": ("мобилизованный", "мобилизованных"),
    "officer": ("офицер", "офицеров"),
    "unknown": ("военнослужащий", "военнослужащих"),
}
WHO_UK = {
    "contract": ("контрактник", "контрактників"),
    "conscript": ("строковик", "строковиків"),
    "mobilised": ("мобілізований", "мобілізованих"),
    "officer": ("офіцер", "офіцерів"),
    "unknown": ("військовослужбовець", "військовослужбовців"),
}
DID_EN = {
    "refused_deploy": "refused to deploy to the combat zone",
    "left_combat": "refused to continue fighting and left their positions",
    "left_unit": "left the unit without permission",
    "contract_termination": "asked to terminate their contracts",
    "conscientious_objection": "asked for alternative civilian service as objectors",
    "self_injury": "injured themselves to avoid being sent to the front",
    "other": "refused orders and protested against being sent back",
}
DID_RU = {
    "refused_deploy": "отказались ехать в зону боевых действий",
    "left_combat": "отказались продолжать воевать и покинули позиции",
    "left_unit": "самовольно оставили часть",
    "contract_termination": "подали рапорты о расторжении контракта",
    "conscientious_objection": "попросили заменить службу альтернативной гражданской",
    "self_injury": "нанесли себе травмы, чтобы не попасть на фронт",
    "other": "отказались выполнять приказ и выразили протест",
}
DID_UK = {
    "refused_deploy": "відмовилися їхати в зону бойових дій",
    "left_combat": "відмовилися далі воювати й залишили позиції",
    "left_unit": "самовільно залишили частину",
    "contract_termination": "подали рапорти про розірвання контракту",
    "conscientious_objection": "попросили замінити службу альтернативною цивільною",
    "self_injury": "завдали собі травм, щоб не потрапити на фронт",
    "other": "відмовилися виконувати наказ і висловили протест",
}
THEN_EN = [
    "Commanders threatened them with criminal cases under article {article}.",
    "They were dismissed and their service records were stamped.",
    "Relatives say they were held in a basement and pressured to withdraw the refusal.",
    "A military court rejected their appeal against the dismissal.",
    "A lawyer says a criminal case was opened; the hearing is pending.",
    "Some of them were sent back to the front a month later.",
]
THEN_RU = [
    "Командиры угрожали им уголовными делами по статье {article}.",
    "Их уволили, в военные билеты внесли отметки.",
    "Родственники рассказывают, что их держали в подвале и заставляли отозвать отказ.",
    "Военный суд отклонил их иск об отмене увольнения.",
    "По словам адвоката, возбуждено уголовное дело; заседание ещё не назначено.",
    "Часть из них через месяц снова отправили на фронт.",
]
THEN_UK = [
    "Командири погрожували їм кримінальними справами за статтею {article}.",
    "Їх звільнили, у військові квитки внесли позначки.",
    "Родичі розповідають, що їх тримали в підвалі й змушували відкликати відмову.",
    "Військовий суд відхилив їхній позов про скасування звільнення.",
    "За словами адвоката, порушено кримінальну справу; засідання ще не призначено.",
    "Частину з них через місяць знову відправили на фронт.",
]
WHO = {"en": WHO_EN, "ru": WHO_RU, "uk": WHO_UK}
DID = {"en": DID_EN, "ru": DID_RU, "uk": DID_UK}
THEN = {"en": THEN_EN, "ru": THEN_RU, "uk": THEN_UK}
OUTLETS = [
    ("Mediazona", "ru"),
    ("Meduza", "ru"),
    ("Vot Tak", "ru"),
    ("Astra", "ru"),
    ("Verstka", "ru"),
    ("iStories", "ru"),
    ("Novaya Gazeta Europe", "ru"),
    ("Sibir.Realii", "ru"),
    ("Idel.Realii", "ru"),
    ("Kavkaz.Realii", "ru"),
    ("BBC News Russian", "ru"),
    ("The Insider", "en"),
    ("Reuters", "en"),
    ("The Guardian", "en"),
    ("Kyiv Independent", "en"),
    ("Ukrainska Pravda", "uk"),
]
ARTICLES = ["332", "337", "338", "339", "352.1"]


def _ordinal(number):
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


def _weighted(pairs):
    values, weights = zip(*pairs, strict=True)
    return list(values), list(weights)


FORCES = _weighted([(value, 30 if value == "army_ground" else 6) for value in Case.Force.values])
KINDS = _weighted(
    [
        (value, 25 if value in ("refused_deploy", "left_combat") else 8)
        for value in Case.RefusalKind.values
    ]
)
SERVICE = _weighted(
    [("contract", 45), ("mobilised", 30), ("conscript", 10), ("officer", 5), ("unknown", 10)]
)
CONFIDENCE = _weighted([("confirmed", 30), ("reported", 55), ("unconfirmed", 15)])
QUALIFIERS = _weighted([("exact", 60), ("at_least", 15), ("about", 20), ("up_to", 5)])


LANGUAGES = _weighted([("ru", 50), ("en", 30), ("uk", 20)])
# Share of cases whose text exists only in its original language.
UNTRANSLATED = 0.25
PRECISIONS = [DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR, DatePrecision.UNKNOWN]


class Generator:
    """Rows of synthetic cases and their children, reproducible from `seed`."""

    def __init__(self, region_ids, *, seed=1, today=None):
        self.random = random.Random(seed)
        self.region_ids = list(region_ids)
        self.regions = Region.objects.in_bulk(self.region_ids)
        self.today = today or timezone.now().date()
        self.days = (self.today - START).days
        self.now = timezone.now()

    def _date_after(self, date, most_days):
        return min(self.today, date + datetime.timedelta(days=self.random.randint(0, most_days)))

    def case(self):
        """(case field values by attname, outcomes, sources, events) for one case."""
        r = self.random
        original = r.choices(*LANGUAGES)[0]
        russian = original != "en"
        service = r.choices(*SERVICE)[0]
        kind = r.choices(*KINDS)[0]
        country, place_en, place_ru = r.choice(PLACES)
        number = r.randint(1, 250)
        unit = r.choice(UNITS_RU if russian else UNITS_EN).format(
            n=r.randint(1000, 99999), k=number if russian else _ordinal(number)
        )
        people = 1 if r.random() < 0.55 else int(r.paretovariate(1.2)) + 1
        unknown_people = r.random() < 0.03
        date, precision = self._event_date()
        article = r.choice(ARTICLES)
        place = place_ru if russian else place_en
        translated = r.random() >= UNTRANSLATED
        languages = ["en", "ru", "uk"] if translated else [original]
        then = r.sample(range(len(THEN_EN)), k=r.randint(1, 3))
        text = {
            language: self._text(language, service, kind, people, unit, place, article, then)
            for language in languages
        }
        title, summary = text[original]
        published_at = self.now - datetime.timedelta(
            days=(self.today - self._date_after(date, 400)).days, seconds=r.randrange(86400)
        )
        values = {
            "original_language": original,
            **{f"title_{lang}": text.get(lang, ("", ""))[0] for lang in ("en", "ru", "uk")},
            **{f"summary_{lang}": text.get(lang, ("", ""))[1] for lang in ("en", "ru", "uk")},
            # The original language's version, as Case.save() would write it (OriginalText).
            "title": title,
            "summary": summary,
            "retraction_reason": "",
            "name_variants": "",
            "slug": slugify(text.get("en", text[original])[0])[:80].strip("-"),
            "status": Case.Status.PUBLISHED,
            "published_at": published_at,
            "retraction_reason_en": "",
            "retraction_reason_ru": "",
            "retraction_reason_uk": "",
            "event_date": None if precision == DatePrecision.UNKNOWN else date,
            "event_date_precision": precision,
            "first_reported_on": self._date_after(date, 60),
            "people_count": None if unknown_people else people,
            "people_qualifier": self._qualifier(people, unknown_people),
            "named_people": "",
            "service_status": service,
            "force": r.choices(*FORCES)[0],
            "unit": unit,
            "home_region_id": None if r.random() < 0.03 else r.choice(self.region_ids),
            "location_country": country,
            "location": place,
            "refusal_kind": kind,
            "legal_articles": article if r.random() < 0.6 else "",
            "confidence": r.choices(*CONFIDENCE)[0],
            "seed_id": None,
            "is_synthetic": True,
            "version": 1,
            "created_at": published_at,
            "updated_at": published_at,
        }
        outcomes = r.sample(CaseOutcome.Outcome.values, k=r.choices([1, 2, 3], [50, 35, 15])[0])
        sources = self._sources(title, date)
        # In the timeline's order (date, then as inserted), as the document reads it back.
        events = sorted(self._events(date, original, languages, article), key=lambda e: e["date"])
        values["search_document"] = search_document(
            Case(**values),
            region=self.regions.get(values["home_region_id"]),
            events=events,
            outcomes=outcomes,
        )
        return values, outcomes, sources, events

    def _event_date(self):
        r = self.random
        date = START + datetime.timedelta(days=r.randrange(self.days + 1))
        precision = r.choices(PRECISIONS, [70, 22, 5, 3])[0]
        if precision == DatePrecision.MONTH:
            date = date.replace(day=1)
        elif precision == DatePrecision.YEAR:
            date = date.replace(month=1, day=1)
        return date, precision

    def _qualifier(self, people, unknown):
        if unknown:
            return Case.PeopleQualifier.UNKNOWN
        if people == 1:
            return Case.PeopleQualifier.EXACT
        return self.random.choices(*QUALIFIERS)[0]

    def _text(self, language, service, kind, people, unit, place, article, then):
        who = WHO[language][service][0 if people == 1 else 1]
        did = DID[language][kind]
        count = "" if people == 1 else f"{people} "
        title = f"{count}{who} {did}"[:200]
        where = f" ({place})" if place else ""
        first = {
            "en": f"{count}{who} of {unit}{where} {did}.",
            "ru": f"{count}{who} из подразделения «{unit}»{where} {did}.",
            "uk": f"{count}{who} з підрозділу «{unit}»{where} {did}.",
        }[language]
        sentences = [THEN[language][index].format(article=article) for index in then]
        summary = " ".join([first, *sentences])
        return title[0].upper() + title[1:], summary[0].upper() + summary[1:]

    def _sources(self, title, date):
        r = self.random
        sources = []
        for number in range(r.choices([1, 2, 3], [50, 35, 15])[0]):
            outlet, language = r.choice(OUTLETS)
            sources.append(
                {
                    "outlet": outlet,
                    "url": f"https://example.org/synthetic/{r.getrandbits(48):x}/{number}",
                    "title": title[:300],
                    "published_on": self._date_after(date, 90),
                    "language": language,
                    "archive_url": "",
                    "verified_by_id": None,
                    "verified_at": None,
                }
            )
        return sources

    def _events(self, date, original, languages, article):
        r = self.random
        events = []
        for _ in range(r.choices([0, 1, 2, 3, 4], [30, 30, 20, 12, 8])[0]):
            said = r.randrange(len(THEN_EN))
            events.append(
                {
                    "date": self._date_after(date, 500),
                    "date_precision": DatePrecision.DAY,
                    "kind": r.choice(CaseEvent.Kind.values),
                    **{
                        f"description_{lang}": (
                            THEN[lang][said].format(article=article) if lang in languages else ""
                        )
                        for lang in ("en", "ru", "uk")
                    },
                    "description": THEN[original][said].format(article=article),
                }
            )
        return events

    def batch(self, size):
        return [self.case() for _ in range(size)]


CHILD_MODELS = {"outcomes": CaseOutcome, "sources": Source, "events": CaseEvent}
