"""The regions as a tile-grid map: one square per Russian federal subject and occupied
region of Ukraine, placed by hand on a grid so that neighbours stay roughly neighbours
(west on the left, north at the top; the Ukrainian regions south-west, the Caucasus
south). No geometry is loaded from anywhere: the layout below is the whole map.

`tile_map()` shades each tile by the number of cases under the current filter and makes
it a link to the listing of that home region; `templates/tracker/_tile_map.html` draws it
as inline SVG with a table of the same numbers.
"""

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from django.urls import reverse

from .models import region_name_field

REGIONS_FILE = Path(__file__).resolve().parent / "data" / "regions.json"

# (column, row) of each region's tile; rows run north to south.
LAYOUT = {
    # The far north and the east.
    "RU-MUR": (3, 0), "RU-CHU": (17, 0),
    "RU-KGD": (0, 1), "RU-KR": (2, 1), "RU-ARK": (3, 1), "RU-NEN": (4, 1), "RU-YAN": (6, 1),
    "RU-KYA": (8, 1), "RU-SA": (11, 1), "RU-MAG": (15, 1), "RU-KAM": (17, 1),
    "RU-SPE": (1, 2), "RU-LEN": (2, 2), "RU-VLG": (3, 2), "RU-KO": (4, 2), "RU-KHM": (6, 2),
    "RU-TOM": (8, 2), "RU-IRK": (9, 2), "RU-AMU": (11, 2), "RU-KHA": (13, 2), "RU-SAK": (15, 2),
    # Central Russia, the Volga and the Urals, Siberia's south.
    "RU-PSK": (1, 3), "RU-NGR": (2, 3), "RU-TVE": (3, 3), "RU-YAR": (4, 3), "RU-KOS": (5, 3),
    "RU-KIR": (6, 3), "RU-PER": (7, 3), "RU-SVE": (8, 3), "RU-TYU": (9, 3), "RU-BU": (11, 3),
    "RU-ZAB": (12, 3), "RU-YEV": (13, 3), "RU-PRI": (14, 3),
    "RU-SMO": (1, 4), "RU-MOW": (2, 4), "RU-MOS": (3, 4), "RU-VLA": (4, 4), "RU-IVA": (5, 4),
    "RU-NIZ": (6, 4), "RU-UD": (7, 4), "RU-CHE": (8, 4), "RU-KGN": (9, 4), "RU-OMS": (10, 4),
    "RU-NVS": (11, 4), "RU-KEM": (12, 4), "RU-KK": (13, 4),
    "RU-BRY": (1, 5), "RU-KLU": (2, 5), "RU-TUL": (3, 5), "RU-RYA": (4, 5), "RU-MO": (5, 5),
    "RU-CU": (6, 5), "RU-ME": (7, 5), "RU-BA": (8, 5), "RU-ALT": (11, 5), "RU-AL": (12, 5),
    "RU-TY": (13, 5),
    "RU-KRS": (1, 6), "RU-ORL": (2, 6), "RU-LIP": (3, 6), "RU-TAM": (4, 6), "RU-PNZ": (5, 6),
    "RU-ULY": (6, 6), "RU-TA": (7, 6), "RU-ORE": (8, 6),
    "RU-BEL": (2, 7), "RU-VOR": (3, 7), "RU-SAR": (4, 7), "RU-SAM": (5, 7),
    # The occupied regions of Ukraine, the south of Russia and the Caucasus.
    "UA-14": (1, 8), "UA-09": (2, 8), "RU-ROS": (3, 8), "RU-VGG": (4, 8), "RU-AST": (5, 8),
    "UA-65": (0, 9), "UA-23": (1, 9), "RU-KDA": (3, 9), "RU-STA": (4, 9), "RU-KL": (5, 9),
    "UA-43": (1, 10), "RU-AD": (2, 10), "RU-KC": (3, 10), "RU-KB": (4, 10), "RU-SE": (5, 10),
    "RU-IN": (6, 10), "RU-CE": (7, 10), "RU-DA": (8, 10),
    "UA-40": (1, 11),
}  # fmt: skip
# Tile labels: the ISO 3166-2 code without the country, and short letters for the
# Ukrainian regions, whose ISO codes are numbers.
UKRAINIAN_LABELS = {
    "UA-09": "LUH",
    "UA-14": "DON",
    "UA-23": "ZAP",
    "UA-40": "SEV",
    "UA-43": "CRI",
    "UA-65": "KHE",
}
TILE = 40  # px (SVG units): one tile with its gap
GAP = 3
SHADES = 5  # tile-1 … tile-5; tile-0 has no case


@dataclass
class Tile:
    code: str
    label: str
    name: str
    count: int
    x: int
    y: int
    shade: int
    url: str


@dataclass
class TileMap:
    tiles: list
    width: int
    height: int
    legend: list  # (shade, lowest count, highest count)
    rows: list  # (name, code, count, url) for the table, most cases first

    @property
    def tile_size(self):
        return TILE - GAP

    @property
    def label_offset(self):
        return (TILE - GAP) // 2


def label_of(code):
    return UKRAINIAN_LABELS.get(code) or code.split("-", 1)[1]


def shade_of(count, largest):
    """0 for no case, else 1–SHADES on a logarithmic scale: a few regions have most
    cases, and a linear scale would leave every other tile the palest shade."""
    if count <= 0 or largest <= 0:
        return 0
    if largest == 1:
        return SHADES
    return max(1, math.ceil(SHADES * math.log(count + 1) / math.log(largest + 1)))


@functools.cache
def _names(field):
    """Region names from the data the regions were loaded from: no query for a map."""
    regions = json.loads(REGIONS_FILE.read_text(encoding="utf-8"))
    return {region["code"]: region[field] for region in regions}


def region_names():
    return _names(region_name_field())


def tile_map(counts, query=None):
    """The map for `counts` ({region code: cases}); `query` (a dict) is the rest of the
    filter that each tile's link keeps."""
    names = region_names()
    largest = max(counts.values(), default=0)
    base = {key: value for key, value in (query or {}).items() if key != "region"}
    listing = reverse("tracker:case_list")
    tiles = []
    for code, (column, row) in LAYOUT.items():
        count = counts.get(code, 0)
        url = f"{listing}?{urlencode({**base, 'region': code})}"
        tiles.append(
            Tile(
                code=code,
                label=label_of(code),
                name=names.get(code, code),
                count=count,
                x=column * TILE,
                y=row * TILE,
                shade=shade_of(count, largest),
                url=url,
            )
        )
    # The legend gives the range of the counts each shade stands for on this map.
    shown = {}
    for tile in tiles:
        if tile.shade:
            low, high = shown.get(tile.shade, (tile.count, tile.count))
            shown[tile.shade] = (min(low, tile.count), max(high, tile.count))
    legend = [(shade, *shown[shade]) for shade in sorted(shown)]
    rows = sorted(
        (
            (names.get(code, code), code, count, f"{listing}?{urlencode({**base, 'region': code})}")
            for code, count in counts.items()
            if count
        ),
        key=lambda row: (-row[2], row[0]),
    )
    columns = max(column for column, _row in LAYOUT.values()) + 1
    lines = max(row for _column, row in LAYOUT.values()) + 1
    return TileMap(tiles=tiles, width=columns * TILE, height=lines * TILE, legend=legend, rows=rows)
