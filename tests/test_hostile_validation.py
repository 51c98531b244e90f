"""Bad datasets get clear `file:line: message` errors (never a traceback); uploads are capped; a 60 MB
CSV validates streaming, in bounded memory."""

from __future__ import annotations

import codecs
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from geo import dataset as ev
from geo.articles import reading

PROJECT_ROOT = Path(__file__).resolve().parent.parent
HEADER = "id,title,summary,date,end_date,lat,lon,uncertainty_km,actors\n"
GOOD = "e1,Talks,Leaders met,2025-09-02,,39.9,116.4,,\n"


def folder_with(tmp_path: Path, events: str | bytes | None = None, **files) -> Path:
    folder = tmp_path / "ds"
    folder.mkdir()
    body = HEADER + GOOD if events is None else events
    (folder / "events.csv").write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    (folder / "citations.csv").write_text(
        "layer,item,citation,url\n"
        + "".join(f"events,{i},background,https://example.org\n" for i in ("e1", "e2", "e3")),
        encoding="utf-8",
    )
    for name, content in files.items():
        name = name.replace("_", ".", 1) if "." not in name else name
        (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return folder


def messages(path: Path) -> list[str]:
    return [str(e) for e in ev.validate_path(path)]


ROW_CASES = [
    ("e2,T,S,2025,,91,0,,", "lat: 91 out of range"),
    ("e2,T,S,2025,,0,-181,,", "lon: -181 out of range"),
    ("e2,T,S,2025,,nan,0,,", "lat: 'nan' is not finite"),
    ("e2,T,S,2025,,0,inf,,", "lon: 'inf' is not finite"),
    ("e2,T,S,2025,,north,0,,", "lat: 'north' is not a number"),
    ("e2,T,S,2025,,1,2,-5,", "uncertainty_km: -5 out of range"),
    ("e2,T,S,2025-02-30,,1,2,,", "impossible date '2025-02-30'"),
    ("e2,T,S,2025-13,,1,2,,", "impossible date '2025-13'"),
    ("e2,T,S,03/09/2025,,1,2,,", "is not ISO"),
    ("e2,T,S,2025-09-03,2025-09-01,1,2,,", "end_date '2025-09-01' is before date"),
    ("e2,,S,2025,,1,2,,", "title is required"),
    ("e2,T,S,,,1,2,,", "date is required"),
    ("e2,T,S,2025,,1,,,", "give both lat and lon"),
    ("e2,T,S,2025,,,,,", "needs a place name or lat/lon"),
    ("e1,T,S,2025,,1,2,,", "duplicate id 'e1'"),
    ("e2,T,S,2025,,1,2,,,extra", "row has 10 fields but the header has 9"),
    ("e2," + "x" * 100_000 + ",S,2025,,1,2,,", "field(s) longer than 10000 characters: title"),
    ('e2,"unclosed,S,2025,,1,2,,\n' + "y" * 1_100_000, "a field is longer than 1,000,000 characters"),
]


@pytest.mark.parametrize("row,expected", ROW_CASES, ids=[c[1][:40] for c in ROW_CASES])
def test_bad_rows_name_file_and_line(tmp_path, row, expected):
    folder = folder_with(tmp_path, HEADER + GOOD + row + "\n")
    got = messages(folder)
    assert f"{folder / 'events.csv'}:3: " in "\n".join(got), got
    assert any(m.startswith(f"{folder / 'events.csv'}:3: ") and expected in m for m in got), got


FILE_CASES = [
    (b"", "events.csv: empty file (0 bytes)"),
    (b"  \n\n", "events.csv: file has no content"),
    (
        "id,title,summary,date\ne1,Ñandú,x,2025\n".encode("latin-1"),
        "events.csv:2: not valid UTF-8 (byte 0xd1 at offset 25)",
    ),
    ("id,title,summary,date\n".encode("utf-16"), "events.csv: file is UTF-16 encoded; save it as UTF-8"),
    (b"id,title,summary,date\ne1,a\x00b,x,2025\n", "events.csv:2: file contains NUL bytes"),
    (b"id,title,date\ne1,T,2025\n", "events.csv:1: missing required column(s): summary"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "events.csv"),
]


@pytest.mark.parametrize("content,expected", FILE_CASES, ids=[c[1][:40] for c in FILE_CASES])
def test_bad_files(tmp_path, content, expected):
    folder = folder_with(tmp_path, content)
    got = messages(folder)
    assert any(expected in m and m.startswith(str(folder)) for m in got), got


def test_utf8_bom_and_non_ascii_are_read_exactly(tmp_path):
    text = "\ufeff" + HEADER + "e1,北京阅兵 · Курская область · Ñandú,Leaders met,2025-09-02,,39.9,116.4,,\n"
    folder = folder_with(tmp_path, text)
    ds, errors = ev.load_dataset(folder)
    assert [e for e in errors if e.file.endswith("events.csv")] == []
    assert ds.events[0].id == "e1" and ds.events[0].title == "北京阅兵 · Курская область · Ñandú"


GEOJSON_CASES = [
    ({"type": "Feature", "properties": {}, "geometry": None}, "expected a GeoJSON FeatureCollection, got 'Feature'"),
    ([1, 2], "expected a GeoJSON FeatureCollection, got 'list'"),
    ({"type": "FeatureCollection", "features": {}}, "'features' must be a list"),
    (
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"id": "r", "name": "R", "status": "planned"},
                    "geometry": {"type": "Point", "coordinates": [1, 2]},
                }
            ],
        },
        "feature 1: geometry type 'Point' not allowed here (expected LineString or MultiLineString)",
    ),
    (
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"id": "r", "name": "R", "status": "planned"},
                    "geometry": {"type": "LineString", "coordinates": [[1, 2], [200, 2]]},
                }
            ],
        },
        "feature 1: coordinate [200, 2] out of range",
    ),
    (
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"id": "r", "name": "R", "status": "planned"},
                    "geometry": {"type": "LineString", "coordinates": [[1, 2], ["a", 2]]},
                }
            ],
        },
        "feature 1: bad coordinate ['a', 2]",
    ),
    (
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"id": "r", "name": "R", "status": "planned"}, "geometry": None}
            ],
        },
        "feature 1: missing geometry",
    ),
    (
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"id": "r", "name": "R", "status": "soon"},
                    "geometry": {"type": "LineString", "coordinates": [[1, 2], [3, 4]]},
                }
            ],
        },
        "feature 1: status 'soon' is not one of",
    ),
    (
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"id": "r", "name": "R" * 100_000, "status": "planned"},
                    "geometry": {"type": "LineString", "coordinates": [[1, 2], [3, 4]]},
                }
            ],
        },
        "feature 1: propert(ies) longer than 10000 characters: name",
    ),
    ({"type": "FeatureCollection", "features": ["nope"]}, "feature 1: not a GeoJSON Feature"),
]


@pytest.mark.parametrize("doc,expected", GEOJSON_CASES, ids=[c[1][:40] for c in GEOJSON_CASES])
def test_bad_geojson(tmp_path, doc, expected):
    folder = folder_with(tmp_path, **{"routes.geojson": json.dumps(doc)})
    got = messages(folder)
    assert any(m.startswith(str(folder / "routes.geojson")) and expected in m for m in got), got


@pytest.mark.parametrize(
    "text,expected",
    [
        ('{"type": "FeatureCollection", "features": [', "routes.geojson:1: invalid JSON"),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": "r", "name": "R", '
            '"status": "planned"}, "geometry": {"type": "LineString", "coordinates": [[NaN, 2], [3, 4]]}}]}',
            "is not finite (NaN/Infinity)",
        ),
        ("", "routes.geojson: empty file (0 bytes)"),
        ("[" * 100_000, "routes.geojson"),
    ],
)
def test_bad_geojson_text(tmp_path, text, expected):
    folder = folder_with(tmp_path, **{"routes.geojson": text})
    got = messages(folder)
    assert any(expected in m for m in got), got


def test_events_geojson_wrong_geometry(tmp_path):
    folder = folder_with(tmp_path)
    (folder / "events.csv").unlink()
    (folder / "events.geojson").write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"id": "e1", "title": "T", "summary": "S", "date": "2025"},
                        "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    assert any("feature 1: geometry type 'Polygon' not allowed here" in m for m in messages(folder))


def test_figures_text_in_numeric_field(tmp_path):
    folder = folder_with(tmp_path, **{"figures.csv": "event_id,name,value\ne1,troops,many\ne1,killed,1e999\n"})
    got = messages(folder)
    assert f"{folder / 'figures.csv'}:2: value: 'many' is not a number" in got, got
    assert any(m.startswith(f"{folder / 'figures.csv'}:3: value") for m in got), got


def test_cli_prints_file_line_message_and_exits_2(tmp_path):
    folder = folder_with(tmp_path, HEADER + GOOD + "e2,T,S,2025-02-30,,91,0,,\ne1,T,S,2025,,1,2,,\n")
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "validate", str(folder)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines and all(re.match(rf"{re.escape(str(folder))}/\S+:\d+: \S", line) for line in lines), lines
    assert any("impossible date" in line for line in lines) and any("duplicate id" in line for line in lines)


# ------------------------------------------------------------------ uploads (app "Add article" panel)


def test_read_upload_limits_and_text_rules():
    assert reading.read_upload("a.txt", "北京阅兵 Ñandú".encode()) == "北京阅兵 Ñandú"
    assert reading.read_upload("a.txt", b"\xef\xbb\xbfBOM text") == "BOM text"
    html = b"<p>Hello <script>alert(1)</script><img src=x onerror=alert(2)>world</p>"
    assert reading.read_upload("a.html", html) == "Hello world"
    with pytest.raises(ValueError, match=r"big\.txt: .* over the .* limit"):
        reading.read_upload("big.txt", b"a" * 101, limit=100)
    with pytest.raises(ValueError, match=r"big\.txt"):
        reading.read_upload("big.txt", b"a" * (reading.UPLOAD_LIMIT_BYTES + 1))
    with pytest.raises(ValueError, match=r"x\.txt: not valid UTF-8"):
        reading.read_upload("x.txt", "Ñandú".encode("latin-1"))
    with pytest.raises(ValueError, match=r"x\.txt: binary file"):
        reading.read_upload("x.txt", b"PK\x03\x04\x00\x00")
    with pytest.raises(ValueError, match=r"x\.pdf: unsupported file type"):
        reading.read_upload("x.pdf", b"%PDF-1.7")
    with pytest.raises(ValueError, match=r"looks binary"):
        reading.read_upload("x.txt", bytes(range(1, 32)) * 10)


def test_read_upload_reads_marked_and_declared_encodings_and_never_guesses():
    text = "Kursk région, Белгород, 北京"
    for codec in ("utf-16", "utf-16-be", "utf-32"):
        data = text.encode(codec)
        if codec == "utf-16-be":
            data = codecs.BOM_UTF16_BE + data
        assert reading.read_upload("win.txt", data) == text, codec
    page = "<html><head><meta charset='windows-1251'></head><body><p>Курск и Белгород</p></body></html>"
    assert reading.read_upload("ru.html", page.encode("cp1251")) == "Курск и Белгород"
    # A Latin-1 label means windows-1252, as in browsers: curly quotes are not C1 controls.
    page = '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><p>\u201cAsunción\u201d</p>'
    assert reading.read_upload("py.html", page.encode("cp1252")) == "\u201cAsunción\u201d"
    assert reading.read_upload("u.html", "<meta charset=utf-16><p>北京</p>".encode()) == "北京"
    for label, message in (("rot13", "unsupported"), ("utf-7", "unsupported"), ("klingon", "unknown")):
        with pytest.raises(ValueError, match=rf"x\.html: {message} character encoding '{label}'"):
            reading.read_upload("x.html", f"<meta charset={label}><p>x</p>".encode())
    # The same Latin-1 bytes without a declaration are refused, not guessed; a .txt can't declare.
    with pytest.raises(ValueError, match=r"x\.html: not valid UTF-8 text .*save it as UTF-8"):
        reading.read_upload("x.html", "<p>Asunción</p>".encode("latin-1"))
    with pytest.raises(ValueError, match=r"x\.txt: not valid UTF-8"):
        reading.read_upload("x.txt", "<meta charset=latin-1> Asunción".encode("latin-1"))
    with pytest.raises(ValueError, match=r"odd\.txt: not valid utf-16 text"):
        reading.read_upload("odd.txt", codecs.BOM_UTF16_LE + b"a\x00b")


def test_streamlit_upload_cap_is_configured():
    import tomllib

    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] <= 5
    assert reading.UPLOAD_LIMIT_BYTES == config["server"]["maxUploadSize"] * 1024 * 1024


# ------------------------------------------------------------------ a 60 MB CSV, streamed


def write_big_dataset(folder: Path, size: int = 60_000_000) -> int:
    folder.mkdir()
    rows = 0
    with (
        open(folder / "events.csv", "w", encoding="utf-8", newline="") as fh,
        open(folder / "citations.csv", "w", encoding="utf-8") as cites,
    ):
        fh.write("id,title,summary,date,lat,lon,place_precision,type\n")
        cites.write("layer,item,citation,url\n")
        written = 0
        while written < size:
            rows += 1
            line = (
                f'ev-{rows:07d},Event {rows}: talks in Курская область and 北京 (Ñandú),"Synthetic summary '
                f'for the streaming test, row {rows}; it only takes up room, as a real summary would.",'
                f"2025-{1 + rows % 12:02d}-{1 + rows % 28:02d},{(rows * 7919) % 160 - 80}.5,"
                f"{(rows * 104729) % 340 - 170}.25,city,talks\n"
            )
            fh.write(line)
            written += len(line.encode("utf-8"))
            cites.write(f"events,ev-{rows:07d},synthetic background,https://example.org/{rows}\n")
        # one bad row near the end: found, with its line number
        fh.write("ev-bad,Late row,S,2025-02-30,1,2,city,talks\n")
        cites.write("events,ev-bad,c,\n")
    return rows


# Peak RSS of this process alone: VmHWM belongs to the process's own address space, whereas getrusage's
# ru_maxrss also counts what the forking parent (a large pytest process) had before exec.
MEASURE = """
import re, resource, sys
from geo import cli
code = cli.main(["validate", sys.argv[1]])
try:
    peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1))
except (OSError, AttributeError):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print("PEAK_KB", peak, file=sys.stderr)
sys.exit(code)
"""


@pytest.mark.slow
def test_60mb_csv_validates_streaming_in_bounded_memory(tmp_path):
    folder = tmp_path / "big"
    rows = write_big_dataset(folder)
    size_mb = (folder / "events.csv").stat().st_size / 1e6
    proc = subprocess.run(
        [sys.executable, "-c", MEASURE, str(folder / "events.csv")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    peak_mb = int(re.search(r"PEAK_KB (\d+)", proc.stderr).group(1)) / 1024
    print(f"validate {size_mb:.0f} MB events.csv ({rows} rows): peak RSS {peak_mb:.0f} MB")
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines() == [f"{folder / 'events.csv'}:{rows + 2}: impossible date '2025-02-30'"]
    # Whole-file reading peaked at ~550 MB here; streaming keeps ~0.2 kB per row plus the interpreter.
    assert peak_mb < 300, f"peak RSS {peak_mb:.0f} MB"
