"""Field rules: dates, numbers, lists and source references of one row, each problem a message."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date as _date
from pathlib import Path
from typing import Any

from geo.articles import sources as src_mod
from geo.articles.sources import SourceRef

# Field parsers

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_date(text: str) -> tuple[str, str, str] | str:
    """ISO date, maybe partial → (precision, first day, last day) or an error message."""
    m = _DATE_RE.match(text or "")
    if not m:
        return f"date {text!r} is not ISO (YYYY, YYYY-MM or YYYY-MM-DD)"
    y, mo, d = int(m[1]), m[2], m[3]
    try:
        if d:
            day = _date(y, int(mo), int(d))
            return "day", day.isoformat(), day.isoformat()
        if mo:
            first = _date(y, int(mo), 1)
            nxt = _date(y + (first.month == 12), first.month % 12 + 1, 1)
            return "month", first.isoformat(), _date.fromordinal(nxt.toordinal() - 1).isoformat()
        return "year", _date(y, 1, 1).isoformat(), _date(y, 12, 31).isoformat()
    except ValueError:
        return f"impossible date {text!r}"


def _number(value: Any, name: str, problems: list[str], lo: float | None = None, hi: float | None = None):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        problems.append(f"{name}: {value!r} is not a number")
        return None
    try:
        num = float(str(value).replace("_", "") if isinstance(value, str) else value)
    except (TypeError, ValueError):
        problems.append(f"{name}: {str(value)[:40]!r} is not a number")
        return None
    if not math.isfinite(num):
        problems.append(f"{name}: {value!r} is not finite")
        return None
    if (lo is not None and num < lo) or (hi is not None and num > hi):
        problems.append(f"{name}: {num:g} out of range [{lo:g}, {hi:g}]")
        return None
    return num


def _int(value: Any, name: str, problems: list[str]) -> int | None:
    num = _number(value, name, problems)
    if num is None:
        return None
    if not float(num).is_integer() or num < 0:
        problems.append(f"{name}: {value!r} is not a non-negative integer")
        return None
    return int(num)


def _bool(value: Any, name: str, problems: list[str]) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in ("", "false", "0", "no"):
        return False
    if text in ("true", "1", "yes"):
        return True
    problems.append(f"{name}: {value!r} is not true/false")
    return False


def _list(value: Any, name: str, problems: list[str]) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(p.strip() for p in value.split(";") if p.strip())
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value if v.strip())
    problems.append(f"{name}: expected a list of strings")
    return ()


def _text(props: dict, key: str) -> str:
    v = props.get(key)
    return "" if v is None else str(v).strip()


# Source references


@dataclass
class SourceContext:
    manifest: dict
    folder: Path | None = None
    _sha: dict = field(default_factory=dict)

    def article_sha(self, file: str) -> str | None:
        if file not in self._sha:
            self._sha[file] = src_mod.article_sha256(file, self.folder)
        return self._sha[file]


def make_ref(row: dict, ctx: SourceContext, problems: list[str]) -> SourceRef | None:
    """A SourceRef from a row/dict with file/start/end (+sha256, evidence) or citation/url."""
    file = _text(row, "file")
    if not file:
        citation = _text(row, "citation")
        if not citation:
            problems.append("source needs either file/start/end or a citation")
            return None
        return SourceRef(citation=citation, url=_text(row, "url"))
    start = _int(row.get("start"), "start", problems)
    end = _int(row.get("end"), "end", problems)
    if start is None or end is None:
        if not any(p.startswith(("start", "end")) for p in problems):
            problems.append(f"source {file}: start and end are required")
        return None
    if end <= start:
        problems.append(f"source {file}: span end {end} is not after start {start}")
        return None
    art = ctx.manifest.get(file)
    sha = (_text(row, "sha256") or (art.sha256 if art else "")).lower()
    if not sha:
        problems.append(f"source file {file!r} is not in the sources.csv manifest (and no sha256 given)")
        return None
    if not re.fullmatch(r"[0-9a-f]{64}", sha):
        problems.append(f"source {file}: sha256 {sha[:20]!r} is not a 64-digit hex digest")
        return None
    ref = SourceRef(file=file, sha256=sha, start=start, end=end, evidence=_text(row, "evidence"))
    actual = ctx.article_sha(file)
    if actual is not None:  # the article is available: check it
        if actual != sha:
            problems.append(
                f"source {file}: SHA-256 mismatch (file has {actual[:12]}…, reference "
                f"{sha[:12]}…); the article changed, re-check the spans"
            )
            return ref
        text = src_mod.article_text(file, sha, ctx.folder) or ""
        if end > len(text):
            problems.append(f"source {file}: span {start}-{end} is outside the file ({len(text)} characters)")
            return ref
        if ref.evidence and not src_mod.mentions_evidence(text[start:end], ref.evidence):
            problems.append(f"source {file}: span {start}-{end} does not mention {ref.evidence!r}")
    return ref


def _refs_from_list(value: Any, ctx: SourceContext, problems: list[str]) -> tuple[SourceRef, ...]:
    if value in (None, ""):
        return ()
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        problems.append("sources: expected a list of objects")
        return ()
    refs = []
    for v in value:
        r = make_ref(v, ctx, problems)
        if r:
            refs.append(r)
    return tuple(refs)
