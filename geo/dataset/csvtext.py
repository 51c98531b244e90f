"""Byte-preserving edits of CSV text: append rows, drop rows, keep every untouched record as it was.

The dataset's CSV files are written by hand and by tools; quoting styles differ (the manifest quotes
titles that need no quotes). Rewriting a whole file through `csv.writer` would change lines nobody
edited, so appends add new records after the existing text and removals cut whole raw records.
Only when a row brings a column the header lacks is the file re-serialised (header order kept,
new columns at the end).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable

BOM = "\ufeff"


def _newline_of(text: str) -> str:
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def records(text: str) -> tuple[list[str], list[tuple[str, dict]]]:
    """The header and each record as (raw text, row dict) of a CSV text.

    Parameters
    ----------
    text : str
        Whole file content (a leading BOM is ignored).

    Returns
    -------
    tuple
        (header columns, [(raw record text including its line end, {column: value}), ...]). Blank
        lines stay attached to the record before them, so joining the raw texts rebuilds the file.

    Examples
    --------
    >>> records("a,b\\n1,\\"x\\ny\\"\\n")[1][0][1]
    {'a': '1', 'b': 'x\\ny'}
    """
    body = text[1:] if text.startswith(BOM) else text
    lines = body.splitlines(keepends=True)
    consumed: list[int] = [0]

    def feed():
        for i, line in enumerate(lines):
            consumed[0] = i + 1
            yield line

    reader = csv.reader(feed())
    header: list[str] | None = None
    out: list[tuple[str, dict]] = []
    start = 0
    for rec in reader:
        raw = "".join(lines[start : consumed[0]])
        start = consumed[0]
        if header is None:
            if not rec or all(not c.strip() for c in rec):
                continue
            header = [h.strip() for h in rec]
            continue
        if not rec or all(not c.strip() for c in rec):
            if out:  # keep blank lines with the previous record so nothing is lost on rewrite
                out[-1] = (out[-1][0] + raw, out[-1][1])
            continue
        out.append((raw, {h: (rec[i] if i < len(rec) else "") for i, h in enumerate(header)}))
    return header or [], out


def header_of(text: str) -> list[str]:
    """The header columns of a CSV text (the first non-blank record), reading no further.

    Examples
    --------
    >>> header_of("\\n id , name\\n1,a\\n")
    ['id', 'name']
    """
    body = text[1:] if text.startswith(BOM) else text
    for rec in csv.reader(io.StringIO(body, newline="")):
        if rec and any(c.strip() for c in rec):
            return [h.strip() for h in rec]
    return []


def _serialise(header: list[str], rows: Iterable[dict], newline: str) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=newline)
    for row in rows:
        writer.writerow(["" if row.get(h) is None else str(row.get(h)) for h in header])
    return buf.getvalue()


def append_rows(text: str | None, rows: list[dict], default_header: Iterable[str] = ()) -> str:
    """`text` with `rows` appended as CSV records; existing records are kept byte for byte.

    Parameters
    ----------
    text : str or None
        Current file content, or None when the file does not exist yet.
    rows : list of dict
        New rows; keys missing from the header are added as new columns (only non-empty ones).
    default_header : iterable of str
        Column order for a new file (keys of `rows` not listed follow in first-seen order).

    Returns
    -------
    str
        The new file content.

    Examples
    --------
    >>> append_rows("id,name\\n1,a\\n", [{"id": "2", "name": "b, c"}])
    'id,name\\n1,a\\n2,"b, c"\\n'
    """
    if not rows:
        return text or ""
    if text is None or not text.strip():
        header = list(default_header)
        for row in rows:
            header += [k for k, v in row.items() if k not in header and str(v or "") != ""]
        return _serialise(header, [dict(zip(header, header, strict=True))] + rows, "\n")
    header = header_of(text)  # no full parse for a plain append: events.csv may be large
    newline = _newline_of(text)
    extra: list[str] = []
    for row in rows:
        extra += [k for k, v in row.items() if k not in header and k not in extra and str(v or "") != ""]
    if extra:  # a new column: every record gets one more field, so the file is re-serialised
        header, recs = records(text)
        header = header + extra
        bom = BOM if text.startswith(BOM) else ""
        return bom + _serialise(header, [dict(zip(header, header, strict=True))] + [r for _, r in recs] + rows, newline)
    tail = "" if text.endswith(("\n", "\r")) else newline
    return text + tail + _serialise(header, rows, newline)


def drop_rows(text: str, drop: Callable[[dict], bool]) -> tuple[str, list[dict]]:
    """`text` without the records for which `drop(row)` is true, and the dropped rows.

    Parameters
    ----------
    text : str
        Current file content.
    drop : callable
        Predicate on a row dict.

    Returns
    -------
    tuple
        (new content with every other record unchanged, list of removed rows).

    Examples
    --------
    >>> drop_rows("id\\n1\\n2\\n", lambda r: r["id"] == "1")
    ('id\\n2\\n', [{'id': '1'}])
    """
    header, recs = records(text)
    if not header:
        return text, []
    body = text[1:] if text.startswith(BOM) else text
    # the header's raw text: everything before the first record
    first = len(body) - sum(len(raw) for raw, _ in recs)
    head = body[:first]
    kept, dropped = [], []
    for raw, row in recs:
        (dropped if drop(row) else kept).append((raw, row))
    bom = BOM if text.startswith(BOM) else ""
    return bom + head + "".join(raw for raw, _ in kept), [r for _, r in dropped]
