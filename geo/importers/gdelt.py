"""GDELT events export (tab-separated, no header) → events, actors and one citation per event.

GDELT 2.0 files have 61 columns (the codebook's order, `COLUMNS_V2`). GDELT 1.0 files lack the three
`*_ADM2Code` columns: 57 columns (historical back files, no SOURCEURL) or 58 (daily files). Both are
read; the version is told by the column count of the first row, and a row of another width is
reported. A header line (as BigQuery exports write) is recognised and skipped. CAMEO root → type and
ActionGeo_Type → precision tables: docs/importing.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from geo.importers.common import (
    FormatError,
    ImportReport,
    Options,
    Record,
    actor,
    clip,
    make_id,
    number,
    parse_date,
    split_link,
    text_lines,
)


def _geo(prefix: str, adm2: bool) -> list[str]:
    cols = ["Type", "FullName", "CountryCode", "ADM1Code"] + (["ADM2Code"] if adm2 else [])
    return [f"{prefix}_{c}" for c in cols + ["Lat", "Long", "FeatureID"]]


def _actor(n: int) -> list[str]:
    return [f"Actor{n}{c}" for c in ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode",
                                      "Religion1Code", "Religion2Code", "Type1Code", "Type2Code", "Type3Code")]  # fmt: skip


_HEAD = ["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate"] + _actor(1) + _actor(2)
_EVENT = ["IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
          "NumMentions", "NumSources", "NumArticles", "AvgTone"]  # fmt: skip
COLUMNS_V2 = _HEAD + _EVENT + _geo("Actor1Geo", True) + _geo("Actor2Geo", True) + _geo("ActionGeo", True)
COLUMNS_V2 += ["DATEADDED", "SOURCEURL"]
COLUMNS_V1 = _HEAD + _EVENT + _geo("Actor1Geo", False) + _geo("Actor2Geo", False) + _geo("ActionGeo", False)
COLUMNS_V1 += ["DATEADDED", "SOURCEURL"]
LAYOUTS = {61: ("GDELT 2.0", COLUMNS_V2), 58: ("GDELT 1.0", COLUMNS_V1), 57: ("GDELT 1.0", COLUMNS_V1[:-1])}

# CAMEO root code → (type, label); a few base codes refine it (visits, agreements, arms and sanctions).
CAMEO_ROOTS = {
    "01": ("statement", "make public statement"), "02": ("statement", "appeal"),
    "03": ("statement", "express intent to cooperate"), "04": ("meeting", "consult"),
    "05": ("statement", "engage in diplomatic cooperation"), "06": ("economic", "engage in material cooperation"),
    "07": ("economic", "provide aid"), "08": ("agreement", "yield"), "09": ("other", "investigate"),
    "10": ("statement", "demand"), "11": ("statement", "disapprove"), "12": ("statement", "reject"),
    "13": ("statement", "threaten"), "14": ("protest", "protest"), "15": ("military", "exhibit force posture"),
    "16": ("sanctions", "reduce relations"), "17": ("attack", "coerce"), "18": ("attack", "assault"),
    "19": ("military", "fight"), "20": ("attack", "use unconventional mass violence"),
}  # fmt: skip
CAMEO_BASES = {"042": "visit", "043": "visit", "057": "agreement", "062": "military", "074": "military",
               "172": "sanctions", "173": "other", "174": "other"}  # fmt: skip
# ActionGeo_Type → (place_precision, uncertainty_km or None for the default)
GEO_TYPES = {"1": ("country", None), "2": ("region", None), "3": ("city", None), "4": ("city", None),
             "5": ("region", None)}  # fmt: skip


def cameo_type(root: str, base: str = "") -> str:
    """CAMEO EventRootCode (and EventBaseCode) → the event vocabulary.

    Examples
    --------
    >>> cameo_type("04"), cameo_type("04", "042"), cameo_type("4", "42"), cameo_type("99")
    ('meeting', 'visit', 'visit', 'other')
    """
    base = base.strip().zfill(3)  # spreadsheet and BigQuery exports drop the leading zero: 42 → 042
    if base in CAMEO_BASES:
        return CAMEO_BASES[base]
    return CAMEO_ROOTS.get(root.strip().zfill(2), ("other", ""))[0]


def _record(line: int, row: dict, version: str, prefix: str, report: ImportReport) -> Record | None:
    where = f"line {line}"
    gid = row["GLOBALEVENTID"].strip()
    problems = []
    if not gid.isdigit():
        problems.append(f"GLOBALEVENTID {gid[:20]!r} is not a number")
    date = parse_date(row["SQLDATE"])
    if not date or len(date) != 10:
        problems.append(f"SQLDATE {row['SQLDATE'][:20]!r} is not YYYYMMDD")
    gtype = row["ActionGeo_Type"].strip()
    lat, lon = number(row["ActionGeo_Lat"]), number(row["ActionGeo_Long"])
    if gtype not in GEO_TYPES:
        problems.append(f"ActionGeo_Type {gtype!r}: no location (expected 1–5)")
    elif lat is None or lon is None:
        problems.append("ActionGeo_Lat/ActionGeo_Long are empty or not numbers")
    elif not (-90 <= lat <= 90 and -180 <= lon <= 180):
        problems.append(f"ActionGeo_Lat/Long {lat:g}, {lon:g} out of range")
    if problems:
        report.problem(where, "; ".join(problems))
        return None
    root, base, code = (row["EventRootCode"].strip(), row["EventBaseCode"].strip(), row["EventCode"].strip())
    label = CAMEO_ROOTS.get(root.zfill(2), ("", "CAMEO " + (root or "?")))[1]
    a1, a2 = clip(row["Actor1Name"], 200), clip(row["Actor2Name"], 200)
    place = clip(row["ActionGeo_FullName"], 300)
    precision, unc = GEO_TYPES[gtype]
    title = clip(" ".join(p for p in (a1 or "Unnamed actor", label, a2) if p), 200)
    mentions = number(row["NumMentions"])
    summary = f"{version} event {gid}: CAMEO {code or root} ({label})"
    summary += f" by {a1 or 'an unnamed actor'}" + (f" towards {a2}" if a2 else "") + (f" at {place}" if place else "")
    summary += f"; {int(mentions)} mention(s) in the news." if mentions is not None else "."
    url, citation = split_link(row.get("SOURCEURL", ""), f"{version} event {gid}")
    actors = tuple(a for a in (actor(a1), actor(a2)) if a)
    props = {"title": title, "summary": summary, "date": date, "place": place, "lat": lat, "lon": lon,
             "place_precision": precision, "uncertainty_km": unc, "type": cameo_type(root, base)}  # fmt: skip
    return Record(where, "events", make_id(prefix, gid), props, actors=actors, citation=citation, url=url,
                  source_type=f"CAMEO {code or root}" + (f" ({label})" if label else ""))  # fmt: skip


def read(path: Path, fmt: str, opts: Options, report: ImportReport) -> Iterator[Record]:
    """Records of a GDELT 1.0 or 2.0 events file, streamed line by line; FormatError when the first
    row has another number of columns or its id and date are not GDELT's.

    Examples
    --------
    >>> report = ImportReport("20250301.export.CSV")
    >>> next(read(Path("20250301.export.CSV"), "gdelt", Options(), report)).props["type"]  # doctest: +SKIP
    'meeting'
    """
    prefix = opts.prefix or "gdelt"
    names, version = None, ""
    for n, text in text_lines(path, report, opts.progress):
        text = text.rstrip("\r\n")
        if not text.strip():
            continue
        parts = text.split("\t")
        if names is None:
            if len(parts) not in LAYOUTS:
                raise FormatError(f"not a GDELT events file: line {n} has {len(parts)} tab-separated column(s); "
                                  "GDELT 2.0 has 61, GDELT 1.0 has 57 or 58")  # fmt: skip
            version, names = LAYOUTS[len(parts)]
            no_url = "; no SOURCEURL column, so the citations have no links" if len(parts) == 57 else ""
            report.notes.append(f"read as {version} ({len(parts)} tab-separated columns){no_url}")
            if parts[0].strip().upper() == "GLOBALEVENTID":  # a header line (BigQuery exports)
                continue
            if not (parts[0].strip().isdigit() and parse_date(parts[1])):
                raise FormatError(f"not a GDELT events file: line {n} does not start with an event id and a "
                                  f"YYYYMMDD date ({parts[0][:20]!r}, {parts[1][:20]!r})")  # fmt: skip
        if len(parts) != len(names):
            report.problem(f"line {n}", f"has {len(parts)} columns; this {version} file has {len(names)}")
            continue
        row = dict(zip(names, parts))
        if not opts.keep_row(row):
            report.filtered += 1
            continue
        rec = _record(n, row, version, prefix, report)
        if rec is not None:
            yield rec
    if names is None:
        raise FormatError("not a GDELT events file: no rows")
