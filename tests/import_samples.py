"""Writers of small synthetic files in the import formats (never copied from real exports)."""

from __future__ import annotations

import csv
from pathlib import Path

from geo.importers.gdelt import COLUMNS_V1, COLUMNS_V2

ACLED_HEADER = ["event_id_cnty", "event_date", "year", "event_type", "sub_event_type", "actor1", "actor2", "country",
                "admin1", "location", "latitude", "longitude", "geo_precision", "source", "notes", "fatalities"]  # fmt: skip


def write_acled(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.DictWriter(fh, ACLED_HEADER)
        out.writeheader()
        for r in rows:
            out.writerow({k: r.get(k, "") for k in ACLED_HEADER})
    return path


def acled_row(n: int, **over) -> dict:
    row = {"event_id_cnty": f"TST{n}", "event_date": f"2024-03-{10 + n:02d}", "year": "2024",
           "event_type": "Battles", "sub_event_type": "Armed clash", "actor1": "Military Forces of Testland (2000-)",
           "actor2": "France", "country": "Testland", "admin1": "North", "location": f"Town{n}",
           "latitude": f"{10 + n / 10:.4f}", "longitude": f"{20 + n / 10:.4f}", "geo_precision": "1",
           "source": f"Paper {n}", "notes": f"Synthetic note {n}.", "fatalities": "0"}  # fmt: skip
    row.update(over)
    return row


def gdelt_values(n: int, geo_type: str = "4", version: int = 2, **over) -> list[str]:
    names = COLUMNS_V2 if version == 2 else COLUMNS_V1
    row = dict.fromkeys(names, "")
    row.update(GLOBALEVENTID=str(1000 + n), SQLDATE=f"202405{1 + n % 28:02d}", Actor1Name="FRANCE",
               Actor2Name="MILITARY", EventCode="042", EventBaseCode="042", EventRootCode="04",
               NumMentions="7", ActionGeo_Type=geo_type, ActionGeo_FullName=f"Place {n}",
               ActionGeo_Lat=f"{40 + n / 100:.4f}", ActionGeo_Long=f"{2 + n / 100:.4f}",
               SOURCEURL=f"https://news.example.org/{n}")  # fmt: skip
    row.update(over)
    return [row[c] for c in names]


def write_gdelt(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    return path
