"""Build and cache: GeoDataFrames -> one GeoPackage per dataset folder, written atomically under a lock and
reused while the dataset's content signature is unchanged; `load_layers` reads it back."""

import fcntl
import hashlib
import json
import os
import re
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo import config
from geo import dataset as ev
from geo.articles import sources as src_mod
from geo.dataset import reviews as review_mod
from geo.layers import versions
from geo.layers.frames import (
    COLUMNS,
    GEOMETRY_TYPES,
    LAYERS,
    LIST_COLUMNS,
    SCHEMA_VERSION,
    article_mentions,
    layer_frame,
    make_layers,
)

# Code whose changes invalidate a build (the geocoder's choices end up in the layers): the stages up to this one.
_CODE_STAGES = ("articles", "geoparse", "dataset", "layers")


def _data_dir(data_dir: Path | str | None) -> Path:
    return Path(data_dir) if data_dir else config.data_dir()


def dataset_signature(data_dir: Path | str | None = None) -> str:
    """Content hash of everything a build reads: dataset files, manifest, available articles, code."""
    folder = _data_dir(data_dir)
    h = hashlib.sha256(f"schema {SCHEMA_VERSION}\n".encode())

    def add(label: str, path: Path) -> None:
        h.update(label.encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b"-")

    for name in sorted(ev.FILES) + [review_mod.FILE_NAME]:
        add(f"data/{name}", folder / name)
    manifest = src_mod.manifest_path(folder)
    if manifest:
        add(f"manifest {manifest}", manifest)
        for name in sorted(src_mod.read_manifest(manifest)):
            h.update(f"article {name} {src_mod.article_sha256(name)}".encode())
    code = Path(__file__).resolve().parent.parent
    for stage in _CODE_STAGES:
        for path in sorted((code / stage).glob("*.py")):
            add(f"code/{stage}/{path.name}", path)
    return h.hexdigest()


def gpkg_path(data_dir: Path | str | None = None) -> Path:
    """Where the build of a dataset folder lives (one GeoPackage per folder)."""
    folder = _data_dir(data_dir).resolve()
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", folder.name)[:40] or "data"
    digest = hashlib.sha256(str(folder).encode()).hexdigest()[:8]
    return config.build_dir() / f"atlas-{slug}-{digest}.gpkg"


def _encode(layer: str, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = frame.copy()
    for col in out.columns:
        if col in LIST_COLUMNS:
            out[col] = [json.dumps(v, ensure_ascii=False) for v in out[col]]
    return out


def write_gpkg(layers: dict[str, gpd.GeoDataFrame], path: Path, signature: str = "") -> None:
    """Write all layers into a new GeoPackage at `path` atomically (temp file + os.replace)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A fresh name, not a mkstemp placeholder: GDAL creates the file itself, and a placeholder it had to
    # delete first would leave a gap in which the temp file vanishes. Builds of a folder hold a lock.
    tmp = str(path.parent / f".{path.stem}-{uuid.uuid4().hex[:12]}.tmp.gpkg")
    try:
        for name in LAYERS:
            frame = layers.get(name)
            if frame is None:
                frame = layer_frame(name, [], [])
            pyogrio.write_dataframe(
                _encode(name, frame),
                tmp,
                layer=name,
                driver="GPKG",
                geometry_type=GEOMETRY_TYPES[name],
                promote_to_multi=False,
                layer_metadata={"signature": signature, "schema": SCHEMA_VERSION},
            )
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def stored_signature(path: Path) -> str | None:
    """The signature a GeoPackage was built from, or None if it is missing or unreadable."""
    try:
        info = pyogrio.read_info(path, layer="events")
        return (info.get("layer_metadata") or {}).get("signature")
    except Exception:  # missing/corrupt file: treat as "needs a build"
        return None


@contextmanager
def _build_lock():
    config.build_dir().mkdir(parents=True, exist_ok=True)
    with open(config.build_dir() / ".atlas-build.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@dataclass(frozen=True)
class BuildResult:
    path: Path
    counts: dict
    built: bool  # False when the cached GeoPackage was current


def _remove_stale_temps(path: Path) -> None:
    """Temp files a killed build left next to `path` (call with the build lock held: no other build of
    this folder can be writing them)."""
    for tmp in path.parent.glob(f".{path.stem}-*.tmp.gpkg*"):
        try:
            tmp.unlink()
        except OSError:
            pass


# The named stages of a build, with the share of a first build's time each one starts at (for progress bars).
STAGES = (
    ("dataset", 0.0, "reading the dataset and placing its events"),
    ("mentions", 0.45, "finding places in the source articles"),
    ("write", 0.8, "writing the layers"),
    ("version", 0.9, "recording this version of the dataset"),
)


def build(
    data_dir: Path | str | None = None, force: bool = False, progress: Callable[[float, str], None] | None = None
) -> BuildResult:
    """Validate, geocode and write the GeoPackage (serialised by a lock; skipped when current).
    Raises events.DatasetError for an invalid dataset; the previous GeoPackage stays in place.
    `progress(fraction, stage text)` is called as each of `STAGES` starts."""
    folder = _data_dir(data_dir)
    path = gpkg_path(folder)
    stages = {name: (share, text) for name, share, text in STAGES}

    def stage(name: str) -> None:
        if progress is not None:
            progress(*stages[name])

    with _build_lock():
        _remove_stale_temps(path)
        signature = dataset_signature(folder)
        if not force and path.is_file() and stored_signature(path) == signature:
            return BuildResult(path, layer_counts(path), built=False)
        stage("dataset")
        ds = ev.load_valid(folder)
        stage("mentions")
        mentions = article_mentions(ds.manifest, folder)
        stage("write")
        layers = make_layers(ds, mentions)
        write_gpkg(layers, path, signature)
        stage("version")
        versions.record_dataset(ds, folder, signature)  # every build is a version
        return BuildResult(path, {k: len(v) for k, v in layers.items()}, built=True)


def is_current(signature: str, data_dir: Path | str | None = None) -> bool:
    """Whether the dataset's GeoPackage exists and was built from `signature` (reading it needs no build).

    Parameters
    ----------
    signature : str
        `dataset_signature` of the dataset folder.
    data_dir : Path or str, optional
        The dataset folder (default `config.data_dir()`).

    Returns
    -------
    bool
    """
    path = gpkg_path(_data_dir(data_dir))
    return path.is_file() and stored_signature(path) == signature


def build_if_needed(data_dir: Path | str | None = None) -> Path:
    """Path of a current GeoPackage for the dataset; builds only when the inputs changed."""
    folder = _data_dir(data_dir)
    path = gpkg_path(folder)
    if path.is_file() and stored_signature(path) == dataset_signature(folder):
        return path
    return build(folder).path


def layer_counts(path: Path) -> dict[str, int]:
    return {name: int(pyogrio.read_info(path, layer=name)["features"]) for name in LAYERS}


def _decode(frame: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    for col in frame.columns:
        if col in LIST_COLUMNS:
            frame[col] = [json.loads(v) if isinstance(v, str) and v else [] for v in frame[col]]
    for col in COLUMNS[layer]:
        if col not in frame.columns:
            frame[col] = pd.Series(dtype=object)
    if frame.crs is None:
        frame = frame.set_crs(4326)
    return frame[list(COLUMNS[layer]) + ["geometry"]]


def read_gpkg(path: Path) -> dict[str, gpd.GeoDataFrame]:
    return {name: _decode(pyogrio.read_dataframe(path, layer=name), name) for name in LAYERS}


def load_layers(data_dir: Path | str | None = None) -> dict[str, gpd.GeoDataFrame]:
    """All layers of a dataset as GeoDataFrames in EPSG:4326, building when an input changed.

    Parameters
    ----------
    data_dir : path, optional
        The dataset folder; default `config.data_dir()` (`GEO_DATA_DIR` or `data/`).

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        One frame per layer: events, actors, routes, regions, relations, mentions (docs/layers.md).

    Raises
    ------
    geo.dataset.DatasetError
        When the dataset does not validate; `.errors` lists every problem with its file and line.

    Examples
    --------
    >>> import geo
    >>> layers = geo.load_layers()  # doctest: +SKIP
    >>> layers["events"].crs.to_epsg(), "title" in layers["events"]  # doctest: +SKIP
    (4326, True)
    """
    return read_gpkg(build_if_needed(data_dir))


def describe_problem(exc: BaseException) -> list[str]:
    """Human-readable lines for a failure of load_layers/build (for the app and the CLI)."""
    if isinstance(exc, ev.DatasetError):
        return [str(e) for e in exc.errors]
    return [f"{type(exc).__name__}: {exc}"]
