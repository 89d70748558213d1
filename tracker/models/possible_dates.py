"""The possible dates of a refusal: the earliest and the latest day it can have happened.

A case's date may be approximate: a day, a month or a year (`event_date_precision`), or a
range the sources give ("the first days of the war": `event_date_not_before`, "before 5
March": `event_date_not_after`), or both. The listing's date filters (tracker/filters.py)
include a case when its possible dates overlap the asked period, the rule written on the
methodology page and in the data dictionary:

- earliest = the later of `event_date_not_before` and the first day of the event date's
  day, month or year; latest = the earlier of `event_date_not_after` and its last day;
- a side nobody knows is open (FIRST_DAY / LAST_DAY), so that "not after 5 March" is found
  by any period that starts before 5 March;
- a case with no date at all has neither, and no date filter finds it.

Both are columns the database computes itself (generated, stored), so every way a case is
written — a save, a bulk update, the COPY of generate_cases — keeps them right, and the
filters compare two indexed columns (`case_pub_earliest_idx`, `case_pub_latest_idx`).
"""

import datetime

from django.db import models
from django.db.models import Case as When_
from django.db.models import F, Func, Q, Value, When
from django.db.models.functions import Coalesce, Greatest, Least

from .facts import DatePrecision

# Stand-ins for an open side, so the filters stay two plain comparisons on two indexes.
FIRST_DAY = datetime.date(1, 1, 1)
LAST_DAY = datetime.date(9999, 12, 31)


class PeriodBound(Func):
    """The first or last day of the month or year of a date, written for each database
    with immutable functions only (a generated column accepts nothing else)."""

    output_field = models.DateField()

    def __init__(self, expression, *, unit, end):
        self.unit, self.end = unit, end
        super().__init__(expression)

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        return path, args, {**kwargs, "unit": self.unit, "end": self.end}

    def as_sql(self, compiler, connection, **extra_context):
        # PostgreSQL: the date as a timestamp without time zone keeps every step immutable.
        step = f" + interval '1 {self.unit} - 1 day'" if self.end else ""
        template = f"(date_trunc('{self.unit}', (%(expressions)s)::timestamp){step})::date"
        return super().as_sql(compiler, connection, template=template, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        step = f", '+1 {self.unit}', '-1 day'" if self.end else ""
        template = f"date(%(expressions)s, 'start of {self.unit}'{step})"
        return super().as_sql(compiler, connection, template=template, **extra_context)


def _period_bound(end):
    date = F("event_date")
    return When_(
        When(
            event_date_precision=DatePrecision.MONTH,
            then=PeriodBound(date, unit="month", end=end),
        ),
        When(
            event_date_precision=DatePrecision.YEAR,
            then=PeriodBound(date, unit="year", end=end),
        ),
        default=date,
        output_field=models.DateField(),
    )


NO_DATE = Q(event_date__isnull=True, event_date_not_before__isnull=True) & Q(
    event_date_not_after__isnull=True
)


def _bound(pick, range_field, end):
    open_side = Value(LAST_DAY if end else FIRST_DAY)
    # Coalesce on both sides: SQLite's max()/min() give NULL when one argument is NULL.
    known = pick(Coalesce(F(range_field), open_side), Coalesce(_period_bound(end), open_side))
    return When_(When(NO_DATE, then=Value(None)), default=known, output_field=models.DateField())


EARLIEST = _bound(Greatest, "event_date_not_before", end=False)
LATEST = _bound(Least, "event_date_not_after", end=True)


def possible_dates_field(expression, verbose_name, help_text):
    return models.GeneratedField(
        expression=expression,
        output_field=models.DateField(),
        db_persist=True,
        verbose_name=verbose_name,
        help_text=help_text,
    )
