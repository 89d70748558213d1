"""Geometry for the statistics charts, drawn on the server as inline SVG.

Charts are laid out in percentages across and pixels down: the SVG fills the width of
the page at any screen size while its text keeps its size (a scaled viewBox would shrink
the labels to nothing on a phone). The templates `tracker/_chart_bars.html` and
`tracker/_chart_columns.html` draw what these functions compute; each chart also comes
with a table of the same numbers for screen readers and for copying.
"""

import math
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

BAR_ROW_HEIGHT = 36  # px: a label line, then the bar
BAR_LINE_HEIGHT = 16  # px per line of a wrapped label
BAR_THICKNESS = 14
BAR_MAX_WIDTH = 78  # % of the width; the rest keeps room for the value after the bar
# A label longer than this many characters is wrapped onto more lines: at 13px a line of
# 30 Cyrillic characters fits the ~320px a chart has on a 360px phone.
LABEL_LINE_CHARS = 30
# An axis label that starts past this share of the width is anchored at its end instead,
# so that it does not run off the right edge.
AXIS_END_ANCHOR_FROM = 80

COLUMN_PLOT_HEIGHT = 180  # px
COLUMN_TOP = 18  # px above the plot, for the highest gridline's label
COLUMN_AXIS_HEIGHT = 24  # px below the plot, for the year labels
COLUMN_GAP = 0.2  # share of a column's slot left empty


@dataclass
class Chart:
    id: str
    title: str
    description: str
    template: str
    rows: list = field(default_factory=list)
    height: int = 0
    ticks: list = field(default_factory=list)
    axis_labels: list = field(default_factory=list)
    value_heading: str = ""
    label_heading: str = ""
    note: str = ""

    @property
    def is_empty(self):
        return not any(row.value for row in self.rows)


@dataclass
class BarRow:
    label: str
    value: int
    width: float = 0.0  # % of the chart width
    label_y: int = 0
    bar_y: int = 0
    lines: list = field(default_factory=list)  # the label, wrapped


@dataclass
class ColumnRow:
    label: str
    value: int
    x: float = 0.0  # % of the chart width
    width: float = 0.0  # %
    y: float = 0.0  # px
    height: float = 0.0  # px


@dataclass
class Tick:
    value: int
    y: float


@dataclass
class AxisLabel:
    text: str
    x: float
    anchor: str = "start"


def wrap(text, width=LABEL_LINE_CHARS):
    """`text` in lines of at most `width` characters, broken between words (a single
    longer word keeps its own line)."""
    lines, line = [], ""
    for word in str(text).split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines or [""]


def nice_step(largest, steps=4):
    """A round gridline step (1, 2 or 5 times a power of ten) giving about `steps` lines."""
    if largest <= steps:
        return 1
    raw = largest / steps
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _describe(rows, *, timeline):
    """One sentence for screen readers: what the chart shows at a glance."""
    if not any(value for _label, value in rows):
        return _("No data for this selection.")
    label, value = max(rows, key=lambda row: row[1])
    if timeline:
        return _(
            "%(count)s months from %(first)s to %(last)s; the highest is %(label)s with %(value)s."
        ) % {
            "count": len(rows),
            "first": rows[0][0],
            "last": rows[-1][0],
            "label": label,
            "value": value,
        }
    return _("%(count)s groups; the largest is %(label)s with %(value)s.") % {
        "count": len(rows),
        "label": label,
        "value": value,
    }


def bar_chart(id, title, rows, *, label_heading, value_heading, note=""):
    """Horizontal bars, one per (label, value), in the order given."""
    largest = max((value for _label, value in rows), default=0)
    chart = Chart(
        id=id,
        title=title,
        description=_describe(rows, timeline=False),
        template="tracker/_chart_bars.html",
        label_heading=label_heading,
        value_heading=value_heading,
        note=note,
    )
    top = 0
    for label, value in rows:
        lines = wrap(label)
        extra = (len(lines) - 1) * BAR_LINE_HEIGHT
        chart.rows.append(
            BarRow(
                label=str(label),
                value=value,
                width=round(BAR_MAX_WIDTH * value / largest, 2) if largest else 0,
                label_y=top + 13,
                bar_y=top + 18 + extra,
                lines=lines,
            )
        )
        top += BAR_ROW_HEIGHT + extra
    chart.height = top
    return chart


def column_chart(id, title, rows, *, label_heading, value_heading, axis_label, note=""):
    """Vertical columns, one per (label, value) in time order, with round gridlines.

    `axis_label(index)` returns the text to write under column `index`, or None; the
    caller decides how sparse the labels are (one per year, say).
    """
    largest = max((value for _label, value in rows), default=0)
    step = nice_step(largest)
    top_value = step * math.ceil(largest / step) if largest else step
    count = len(rows) or 1
    slot = 100 / count
    bottom = COLUMN_TOP + COLUMN_PLOT_HEIGHT

    def y_of(value):
        return round(bottom - COLUMN_PLOT_HEIGHT * value / top_value, 2)

    chart = Chart(
        id=id,
        title=title,
        description=_describe(rows, timeline=True),
        template="tracker/_chart_columns.html",
        label_heading=label_heading,
        value_heading=value_heading,
        note=note,
        height=bottom + COLUMN_AXIS_HEIGHT,
    )
    for index, (label, value) in enumerate(rows):
        height = round(COLUMN_PLOT_HEIGHT * value / top_value, 2)
        chart.rows.append(
            ColumnRow(
                label=str(label),
                value=value,
                x=round(index * slot + slot * COLUMN_GAP / 2, 3),
                width=round(slot * (1 - COLUMN_GAP), 3),
                y=round(bottom - height, 2),
                height=height,
            )
        )
        text = axis_label(index)
        if text:
            x = round(index * slot, 3)
            if x > AXIS_END_ANCHOR_FROM:
                chart.axis_labels.append(AxisLabel(text=text, x=round(x + slot, 3), anchor="end"))
            else:
                chart.axis_labels.append(AxisLabel(text=text, x=x))
    chart.ticks = [Tick(value=value, y=y_of(value)) for value in range(0, top_value + 1, step)]
    return chart
