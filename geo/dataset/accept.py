"""Turn drafted events into valid dataset rows, and the `python -m geo accept` / `undo` commands.

A draft (from `python -m geo draft`) carries the span, date, place, actor names, type, title and
figures of one reported event. Accepting fills in what the dataset needs and drafts lack:

- `id`: a slug of the date and the title, made unique against the dataset's ids (`-2`, `-3` …);
  the same draft against the same dataset always gets the same id;
- `summary`: one neutral line built from the fields (never a sentence of the article);
- actor ids: the existing id when a name matches an actor's id, name, native name or usual short
  form (surname, or the name without a title such as "President"); else a new slug and a new
  actors.csv row with the draft's kind;
- each figure's `name` (from its unit) and its own span and `claimed_by` in figures.csv;
- a citations.csv row (file, span, a short evidence phrase of at most 40 characters that the
  validator finds in the span);
- the article, copied into the sources folder as `NNN_<sha16>.txt` with its sources.csv row.

The rows are written by `geo.dataset.writer.apply_changes`: validated, all or nothing.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from geo.dataset import csvtext, writer
from geo.dataset.names import actor_index, match_actor, normalise

EVIDENCE_MAX = 40
PRECISIONS = ("exact", "city", "region", "country", "approximate")
TYPE_NOUNS = {
    "military": "Military activity",
    "casualties": "Casualties reported",
    "economic": "Economic move",
    "other": "Event",
}


class AcceptError(ValueError):
    """A draft or article that cannot become rows; the message names the file and draft."""


def slug(text: str, limit: int = 60) -> str:
    """Lower-case ASCII slug of `text` (accents dropped, runs of other characters become `-`).

    Examples
    --------
    >>> slug("2025-09-03 Xi, Putin & Kim: parade in Beijing")
    '2025-09-03-xi-putin-kim-parade-in-beijing'
    """
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    return s[:limit].rstrip("-") or "item"


def unique_id(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3` … : the first not in `taken` (which it then joins).

    Examples
    --------
    >>> unique_id("a", {"a", "a-2"})
    'a-3'
    """
    n, cand = 1, base
    while cand in taken:
        n += 1
        cand = f"{base}-{n}"
    taken.add(cand)
    return cand


def _date_words(date: str) -> str:
    return date or "an unstated date"


def summary_for(draft: dict, actor_names: list[str]) -> str:
    """A neutral one-line summary from the draft's fields (no article wording, not even its headline).

    Examples
    --------
    >>> summary_for({"type": "meeting", "place": "Beijing", "date": "2025-09-02"}, ["Xi Jinping"])
    'Meeting involving Xi Jinping, in Beijing, dated 2025-09-02.'
    """
    kind = (draft.get("type") or "event").strip() or "event"
    parts = [TYPE_NOUNS.get(kind, kind[:1].upper() + kind[1:])]
    if actor_names:
        parts.append(
            "involving "
            + (", ".join(actor_names[:-1]) + " and " + actor_names[-1] if len(actor_names) > 1 else actor_names[0])
        )
    text = " ".join(parts)
    if draft.get("place"):
        text += f", in {draft['place']}"
    when = _date_words(str(draft.get("date") or ""))
    if draft.get("end_date"):
        when += f" to {draft['end_date']}"
    text += f", dated {when}"
    return text + "."


def evidence_for(span: str, preferred: list[str]) -> str:
    """A short key phrase (≤ 40 characters) that occurs in `span`: the first preferred term found
    (case-insensitive), else the span's first words.

    Examples
    --------
    >>> evidence_for("Leaders met in Beijing on Tuesday.", ["Moscow", "Beijing"])
    'Beijing'
    """
    low = span.casefold()
    for term in preferred:
        term = (term or "").strip()
        if term and len(term) <= EVIDENCE_MAX and "|" not in term:
            i = low.find(term.casefold())
            if i >= 0:
                return span[i : i + len(term)]
    words = re.findall(r"[^\s|]+", span)
    out = ""
    for w in words:
        if len(out) + len(w) + (1 if out else 0) > EVIDENCE_MAX:
            break
        out = f"{out} {w}" if out else w
        if len(out) >= 12:
            break
    return out or span.strip()[:EVIDENCE_MAX]


def _number_forms(value) -> list[str]:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return [str(value)]
    if v.is_integer():
        n = int(v)
        return [
            f"{n:,}",
            str(n),
            f"{n:,}".replace(",", " "),
            f"{n:,}".replace(",", "\u00a0"),
        ]
    return [f"{v:g}", str(v)]


SAME_PLACE_KM = 25.0


def _needs_coordinates(place: str, lat, lon) -> bool:
    """Whether the draft's lat/lon must be written: not when the dataset's geocoder already puts the
    place name within `SAME_PLACE_KM` of them (keeps events.csv without coordinate columns where
    the name says it all); yes when it resolves elsewhere, not at all, or there is no name."""
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return False
    if not place:
        return True
    from geo.geoparse import geocode

    try:
        got = geocode.geocode_place(place)
    except Exception:  # a geocoder failure only means: keep the explicit coordinates
        return True
    return got is None or geocode.haversine_km(lat, lon, got.lat, got.lon) > SAME_PLACE_KM


def _span(draft: dict, text: str, where: str) -> tuple[int, int]:
    try:
        start, end = int(draft["start"]), int(draft["end"])
    except (KeyError, TypeError, ValueError):
        raise AcceptError(f"{where}: start and end (character offsets) are required") from None
    if not 0 <= start < end <= len(text):
        raise AcceptError(f"{where}: span {start}-{end} is outside the article ({len(text)} characters)")
    return start, end


def build_rows(
    drafts: list[dict],
    text: str,
    data_dir: Path,
    file: str = writer.ARTICLE,
    label: str = "drafts",
) -> tuple[dict[str, list[dict]], list[str]]:
    """Dataset rows for `drafts` of the article `text`, and the new event ids.

    Parameters
    ----------
    drafts : list of dict
        Drafted (possibly edited) events.
    text : str
        The article text the drafts' offsets count in (code points).
    data_dir : Path
        Dataset folder (existing ids and actors are read from it).
    file : str
        Article file name for the citations (default: the writer's placeholder).
    label : str
        Name used in error messages (the drafts file).

    Returns
    -------
    tuple
        ({"events.csv": [...], "citations.csv": [...], "figures.csv": [...], "actors.csv": [...]}, ids)

    Examples
    --------
    >>> rows, ids = build_rows([], "", Path("data"))
    >>> ids
    []
    """
    data_dir = Path(data_dir)
    _, ev = csvtext.records((data_dir / "events.csv").read_text("utf-8") if (data_dir / "events.csv").is_file() else "")
    _, ac = csvtext.records((data_dir / "actors.csv").read_text("utf-8") if (data_dir / "actors.csv").is_file() else "")
    actors = [r for _, r in ac]
    taken = {r.get("id", "").strip() for _, r in ev}
    actor_ids = {a.get("id", "").strip() for a in actors}
    index = actor_index(actors)
    names = {a.get("id", "").strip(): a.get("name", "").strip() for a in actors}
    rows: dict[str, list[dict]] = {
        "events.csv": [],
        "citations.csv": [],
        "figures.csv": [],
        "actors.csv": [],
    }
    ids = []
    for n, d in enumerate(drafts, 1):
        where = f"{label}: draft {n}"
        if not isinstance(d, dict):
            raise AcceptError(f"{where}: expected an object")
        start, end = _span(d, text, where)
        title = str(d.get("title") or "").strip()
        date = str(d.get("date") or "").strip()
        if not title or not date:
            raise AcceptError(f"{where}: title and date are required")
        kinds = {
            normalise(a.get("name", "")): a.get("kind", "") for a in d.get("new_actors") or [] if isinstance(a, dict)
        }
        ev_actors, shown = [], []
        for name in d.get("actors") or []:
            aid = match_actor(str(name), index)
            if aid is None:
                aid = unique_id(slug(str(name), 40), actor_ids)
                kind = kinds.get(normalise(str(name))) or "organisation"
                rows["actors.csv"].append({"id": aid, "name": str(name).strip(), "kind": kind})
                index[normalise(str(name))] = aid
                names[aid] = str(name).strip()
            if aid not in ev_actors:
                ev_actors.append(aid)
                shown.append(names.get(aid, str(name)))
        eid = unique_id(slug(f"{date} {title}"), taken)
        precision = str(d.get("place_precision") or "").strip()
        row = {
            "id": eid,
            "title": title,
            "summary": str(d.get("summary") or "").strip() or summary_for(d, shown),
            "date": date,
            "end_date": str(d.get("end_date") or ""),
            "place": str(d.get("place") or "").strip(),
            "place_precision": precision if precision in PRECISIONS else ("approximate" if precision else ""),
            "actors": ";".join(ev_actors),
            "type": str(d.get("type") or "").strip(),
        }
        if _needs_coordinates(row["place"], d.get("lat"), d.get("lon")):
            row["lat"], row["lon"] = str(d["lat"]), str(d["lon"])
        rows["events.csv"].append(row)
        span = text[start:end]
        rows["citations.csv"].append(
            {
                "layer": "events",
                "item": eid,
                "file": file,
                "start": str(start),
                "end": str(end),
                "evidence": evidence_for(
                    span,
                    [row["place"]] + [str(a) for a in d.get("actors") or []] + shown,
                ),
            }
        )
        for k, f in enumerate(d.get("figures") or [], 1):
            fs, fe = _span(
                {"start": f.get("start", start), "end": f.get("end", end)},
                text,
                f"{where}, figure {k}",
            )
            unit = str(f.get("unit") or "").strip()
            rows["figures.csv"].append(
                {
                    "event_id": eid,
                    "name": str(f.get("name") or unit or "figure").strip(),
                    "value": str(f.get("value")),
                    "unit": unit,
                    "qualifier": str(f.get("qualifier") or "").strip(),
                    "claimed_by": str(f.get("claimed_by") or "").strip(),
                    "file": file,
                    "start": str(fs),
                    "end": str(fe),
                    "evidence": evidence_for(text[fs:fe], _number_forms(f.get("value"))),
                }
            )
        ids.append(eid)
    return rows, ids


def accept_text(
    drafts: list[dict],
    text: str,
    author: str,
    data_dir=None,
    sources_dir=None,
    *,
    title: str = "article",
    published: str = "",
    publisher: str = "unknown",
    label: str = "drafts",
) -> writer.Result:
    """Accept `drafts` of an article given as text (the app's upload): rows, the article stored as
    UTF-8 under a content-addressed name, and its manifest row, written atomically and validated.

    Parameters
    ----------
    drafts : list of dict
        Drafted or edited events; offsets count code points of `text`.
    text : str
        The article text exactly as the offsets see it (it is what gets hashed and stored).
    author : str
        Who accepts (an editor's session label; used by `writer.undo_last`).
    data_dir, sources_dir : path or None
        Dataset and article folders (None: `GEO_DATA_DIR` / `GEO_SOURCES_DIR`).
    title, published, publisher : str
        Manifest fields for a new article.
    label : str
        Name of the drafts in error messages.

    Returns
    -------
    writer.Result
        `ok`, or the validator's `file:line` messages (nothing written). Raises `AcceptError` for a
        draft that cannot become rows at all (span outside the text, no title or date).

    Examples
    --------
    >>> accept_text([], "text", "ana", "data").ok  # doctest: +SKIP
    True
    """
    data, sources = writer._dirs(data_dir, sources_dir)
    body = text.encode("utf-8")
    rows, _ = build_rows(drafts, text, data, label=label)
    mrow = {
        "file": writer.ARTICLE,
        "sha256": hashlib.sha256(body).hexdigest(),
        "title": title,
        "publisher": publisher,
        "authors": "",
        "date": published,
        "kind": "news article",
    }
    change = writer.Change(author=author, rows=rows, article_bytes=body, manifest_row=mrow)
    return writer.apply_changes(data, sources, change)


def accept(
    drafts: list[dict],
    article: Path | str,
    author: str,
    data_dir=None,
    sources_dir=None,
    published: str = "",
    title: str = "",
    label: str = "drafts",
) -> writer.Result:
    """Accept `drafts` of an article file (.txt, .md or .html, read as `geo.reading.read_article`).

    Examples
    --------
    >>> accept([], "article.txt", "ana", "data")  # doctest: +SKIP
    """
    from geo.articles import reading

    path = Path(article)
    try:
        text = reading.read_article(path)
    except ValueError as exc:
        raise AcceptError(str(exc)) from None
    return accept_text(
        drafts, text, author, data_dir, sources_dir, title=title or path.stem, published=published, label=label
    )
