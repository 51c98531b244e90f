"""Records → a dataset folder, all or nothing: stage next to the target, validate, then swap in.

A new folder gets events.csv (with the source's own type per event in `source_type`), citations.csv
(one background citation per event), figures.csv, actors.csv, routes.geojson / regions.geojson when
there are lines / polygons, and an empty sources.csv (an imported dataset cites no seed articles). An
existing dataset is added to: an id
already present with the same content is skipped (a re-import adds nothing), one with other content is
reported as a collision and never overwritten.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path

from geo.importers.common import (
    WARN_EVENTS,
    FormatError,
    ImportFailed,
    ImportReport,
    Options,
    Record,
    day_range,
    fmt_coord,
    number,
)

READERS = {"acled": "acled", "gdelt": "gdelt", "geojson": "vector", "kml": "vector", "gpkg": "vector", "csv": "table"}
EVENT_COLUMNS = ("id", "title", "summary", "date", "end_date", "place", "lat", "lon", "place_precision",
                 "uncertainty_km", "actors", "type")  # fmt: skip
CITATION_COLUMNS = ("layer", "item", "citation", "url")
FIGURE_COLUMNS = ("event_id", "name", "value", "unit", "qualifier", "claimed_by", "citation", "url")
ACTOR_COLUMNS = ("id", "name", "kind")


def _fingerprint(*values) -> int:
    return int.from_bytes(hashlib.blake2b(repr(values).encode(), digest_size=8).digest(), "big")


def _event_print(row: dict) -> int:
    lat, lon = number(row.get("lat")), number(row.get("lon"))
    coords = (fmt_coord(lat), fmt_coord(lon)) if lat is not None and lon is not None else ("", "")
    return _fingerprint((row.get("title") or "").strip(), (row.get("date") or "").strip(), *coords)


def _feature_print(props: dict, geometry) -> int:
    bounds = tuple(round(v, 5) for v in geometry.bounds) if geometry is not None else ()
    return _fingerprint(str(props.get("name") or "").strip(), bounds)


class _CsvOut:
    """Append rows to a CSV file of the staged folder, keeping its existing columns (a header that lacks
    some of ours is widened by rewriting the file, streamed)."""

    def __init__(self, path: Path, columns: Iterable[str]):
        self.path, columns = path, list(columns)
        exists = path.is_file() and path.stat().st_size > 0
        header = []
        if exists:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                header = next(csv.reader(fh), [])
            header = [h.strip() for h in header]
        missing = [c for c in columns if c not in header]
        if exists and missing:
            tmp = path.with_suffix(".widen")
            with (
                open(path, encoding="utf-8-sig", newline="") as src,
                open(tmp, "w", encoding="utf-8", newline="") as dst,
            ):
                out = csv.DictWriter(dst, header + missing, lineterminator="\n")
                out.writeheader()
                for row in csv.DictReader(src):
                    out.writerow({k: v for k, v in row.items() if k is not None})
            os.replace(tmp, path)
            header += missing
        if exists and not missing:
            with open(path, "rb+") as fh:  # the file may not end with a newline
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) not in (b"\n", b"\r"):
                    fh.write(b"\n")
        self.fh = open(path, "a" if exists else "w", encoding="utf-8", newline="")
        self.out = csv.DictWriter(self.fh, header if exists else columns, lineterminator="\n", extrasaction="ignore")
        if not exists:
            self.out.writeheader()
        self.rows = 0

    def write(self, row: dict) -> None:
        self.out.writerow(row)
        self.rows += 1

    def close(self) -> None:
        self.fh.close()


class _Stage:
    """The staged copy of the target folder and what is already in it."""

    def __init__(self, stage: Path, merging: bool):
        self.dir, self.merging = stage, merging
        self.known: dict[str, int] = {}  # event id → fingerprint
        self.actor_ids: set[str] = set()
        self.features = {"routes": [], "regions": []}
        self.feature_known = {"routes": {}, "regions": {}}
        self.write_actors = True
        events_path = stage / "events.csv"
        if events_path.is_file():
            uses_actors = False
            with open(events_path, encoding="utf-8-sig", newline="") as fh:
                for row in csv.DictReader(fh):
                    self.known[(row.get("id") or "").strip()] = _event_print(row)
                    uses_actors = uses_actors or bool((row.get("actors") or "").strip())
            if (stage / "actors.csv").is_file():
                with open(stage / "actors.csv", encoding="utf-8-sig", newline="") as fh:
                    self.actor_ids = {(r.get("id") or "").strip() for r in csv.DictReader(fh)}
            else:  # actor ids are free labels in this dataset: an actors.csv would have to list them all
                self.write_actors = not uses_actors
        for layer in self.features:
            path = stage / f"{layer}.geojson"
            if path.is_file():
                from shapely.geometry import shape

                doc = json.loads(path.read_text(encoding="utf-8-sig"))
                self.features[layer] = list(doc.get("features") or [])
                for feat in self.features[layer]:
                    props, geom = feat.get("properties") or {}, feat.get("geometry")
                    self.feature_known[layer][str(props.get("id"))] = _feature_print(props, geom and shape(geom))
        self.events = _CsvOut(stage / "events.csv", EVENT_COLUMNS + ("source_type",))
        self.citations = _CsvOut(stage / "citations.csv", CITATION_COLUMNS)
        self.figures = _CsvOut(stage / "figures.csv", FIGURE_COLUMNS)
        self.actors = _CsvOut(stage / "actors.csv", ACTOR_COLUMNS) if self.write_actors else None

    def add(self, rec: Record, report: ImportReport) -> None:
        if rec.layer == "events":
            self._add_event(rec, report)
        else:
            self._add_feature(rec, report)

    def _add_event(self, rec: Record, report: ImportReport) -> None:
        row = {k: ("" if v is None else v) for k, v in rec.props.items()}
        row["id"] = rec.id
        row["lat"], row["lon"] = (fmt_coord(rec.props["lat"]), fmt_coord(rec.props["lon"]))
        new_actors = [a for a in rec.actors if a[0] not in self.actor_ids] if self.actors else []
        row["actors"] = ";".join(dict.fromkeys(a[0] for a in rec.actors))
        fp = _event_print(row)
        if rec.id in self.known:
            if self.known[rec.id] == fp:
                report.present += 1
            else:
                report.collisions.append(f"{rec.where}: id {rec.id!r} is already used by a different event; "
                                         "kept the existing one")  # fmt: skip
            return
        self.known[rec.id] = fp
        row["source_type"] = rec.source_type
        for a in new_actors:
            if a[0] not in self.actor_ids:
                self.actor_ids.add(a[0])
                self.actors.write({"id": a[0], "name": a[1], "kind": a[2]})
        self.events.write(row)
        self.citations.write({"layer": "events", "item": rec.id, "citation": rec.citation, "url": rec.url})
        for fig in rec.figures:
            self.figures.write(dict(fig, event_id=rec.id))
        report.mapped += 1
        report.layers["events"] += 1

    def _add_feature(self, rec: Record, report: ImportReport) -> None:
        from shapely.geometry import mapping

        props = dict(rec.props, id=rec.id, sources=[{"citation": rec.citation, "url": rec.url}])
        fp = _feature_print(props, rec.geometry)
        known = self.feature_known[rec.layer]
        if rec.id in known:
            if known[rec.id] == fp:
                report.present += 1
            else:
                report.collisions.append(f"{rec.where}: {rec.layer[:-1]} id {rec.id!r} is already used by a "
                                         "different feature; kept the existing one")  # fmt: skip
            return
        known[rec.id] = fp
        self.features[rec.layer].append({"type": "Feature", "properties": props, "geometry": mapping(rec.geometry)})
        report.mapped += 1
        report.layers[rec.layer] += 1

    def close(self, new_folder: bool) -> None:
        for out in (self.events, self.citations, self.figures, self.actors):
            if out is not None:
                out.close()
        for layer, feats in self.features.items():
            if feats:
                doc = {"type": "FeatureCollection", "features": feats}
                (self.dir / f"{layer}.geojson").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        for name, out in (("figures.csv", self.figures), ("actors.csv", self.actors)):
            if out is not None and new_folder and out.rows == 0:
                (self.dir / name).unlink()  # no empty files in a new folder
        if new_folder:
            (self.dir / "sources.csv").write_text("file,sha256,title,publisher,authors,date,kind\n", encoding="utf-8")


def _keep(rec: Record, opts: Options) -> bool:
    if rec.layer == "events":
        if not opts.keep_point(rec.props["lat"], rec.props["lon"]):
            return False
        first = day_range(rec.props["date"])[0]
        last = day_range(rec.props.get("end_date") or rec.props["date"])[1]
        return opts.keep_date(first, last)
    if opts.bbox:
        from shapely.geometry import box

        w, s, e, n = opts.bbox
        boxes = [box(w, s, e, n)] if w <= e else [box(w, s, 180, n), box(-180, s, e, n)]
        if not any(rec.geometry.intersects(b) for b in boxes):
            return False
    date = rec.props.get("date")
    return not date or opts.keep_date(*day_range(date))


def _target_state(to: Path) -> str:
    """new, empty or dataset; anything else raises ImportFailed."""
    if not to.exists():
        return "new"
    if not to.is_dir():
        raise ImportFailed(f"{to}: exists and is not a folder")
    if (to / "events.geojson").is_file():
        raise ImportFailed(f"{to}: has events.geojson; importing adds to events.csv only (convert it first)")
    if (to / "events.csv").is_file():
        return "dataset"
    if any(to.iterdir()):
        raise ImportFailed(f"{to}: exists, is not empty and has no events.csv (not a dataset folder)")
    return "empty"


def _validate(stage: Path, to: Path) -> None:
    from geo import dataset as ev

    _, found = ev.load_dataset(stage, lean=True)
    # once the validator has warnings (issue 19 item 3) only errors stop the import
    errors = [e for e in found if not getattr(e, "warning", False) and getattr(e, "level", "error") == "error"]
    if errors:
        lines = [str(e).replace(str(stage), str(to)) for e in errors[:20]]
        more = f"\n… and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise ImportFailed(f"the result does not validate ({len(errors)} error(s)); nothing written:\n"
                           + "\n".join(lines) + more)  # fmt: skip


def _swap(stage: Path, to: Path, state: str) -> None:
    if state == "new":
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(stage, 0o777 & ~mask)  # mkdtemp made it private
        os.rename(stage, to)
        return
    if state == "empty":
        shutil.copystat(to, stage)
    old = to.parent / f".{to.name}.old-{uuid.uuid4().hex[:8]}"
    os.rename(to, old)
    try:
        os.rename(stage, to)
    except OSError:
        os.rename(old, to)
        raise
    shutil.rmtree(old, ignore_errors=True)


def import_file(path: Path | str, fmt: str, to: Path | str, opts: Options | None = None) -> ImportReport:
    """Import `path` (format `fmt`) into the dataset folder `to`, writing all of it or nothing.

    Raises `FormatError` when the file is not `fmt`, `ImportFailed` for other reasons to write nothing
    (bad target, nothing usable, the result does not validate). Rows that cannot be used are skipped
    and listed in the returned report.

    Examples
    --------
    >>> report = import_file("acled.csv", "acled", "my-data")  # doctest: +SKIP
    >>> report.mapped, report.skipped  # doctest: +SKIP
    (120, 3)
    """
    path, to, opts = Path(path), Path(to), opts or Options()
    if fmt not in READERS:
        raise ImportFailed(f"unknown format {fmt!r}; expected one of {', '.join(READERS)}")
    if not path.is_file():
        raise ImportFailed(f"{path}: no such file")
    _check_options(opts)
    if not to.parent.is_dir():
        raise ImportFailed(f"{to.parent}: no such folder")
    with _lock(to):
        return _run(path, fmt, to, opts)


def _check_options(opts: Options) -> None:
    if opts.bbox:
        w, s, e, n = opts.bbox
        if not (-180 <= w <= 180 and -180 <= e <= 180 and -90 <= s < n <= 90):
            raise ImportFailed(f"--bbox {w:g} {s:g} {e:g} {n:g}: expected W S E N in degrees with S < N")
    if opts.since and opts.until and opts.since > opts.until:
        raise ImportFailed(f"--since {opts.since} is after --until {opts.until}")


@contextmanager
def _lock(to: Path):
    """One import into a folder at a time (a second would swap in a copy without the first's rows). The
    lock is on the parent folder itself, so no lock file is left beside the dataset."""
    fd = os.open(to.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _run(path: Path, fmt: str, to: Path, opts: Options) -> ImportReport:
    state = _target_state(to)
    reader = import_module(f"geo.importers.{READERS[fmt]}")
    report = ImportReport(str(path))
    stage = Path(tempfile.mkdtemp(prefix=f".{to.name}.import-", dir=to.parent))
    swapped = False
    try:
        if state == "dataset":
            shutil.copytree(to, stage, dirs_exist_ok=True, symlinks=True)
        st = _Stage(stage, state == "dataset")
        for rec in reader.read(path, fmt, opts, report):
            if _keep(rec, opts):
                st.add(rec, report)
            else:
                report.filtered += 1
        st.close(new_folder=state != "dataset")
        report.total_events = len(st.known)
        del st  # the id map can be large; free it before validation
        if report.mapped == 0:
            if state != "dataset":
                why = "".join(f"\n{path}: {where}: {reason}" for where, reason in report.problems[:5])
                raise ImportFailed(f"{path}: no usable {fmt} rows; nothing written{why}")
            return report
        if report.total_events > WARN_EVENTS:
            report.warnings.append(f"{to} now has {report.total_events:,} events; the app is measured up to "
                                   f"{WARN_EVENTS:,}: filter with --bbox, --since/--until or --where")  # fmt: skip
        _validate(stage, to)
        _swap(stage, to, state)
        swapped = True
        return report
    except FormatError as exc:
        raise FormatError(f"{path}: {exc}") from None
    finally:
        if not swapped:
            shutil.rmtree(stage, ignore_errors=True)
