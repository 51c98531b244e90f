"""Reading article files: bytes of a .txt/.md/.html file -> text.

One place decides encodings (BOM sniffing, HTML `<meta charset>`) and the upload limit; the
recogniser, the corpus ingest and the app all read articles through it.
"""

from __future__ import annotations

import codecs
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

TEXT_SUFFIXES = {".txt", ".md", ".html", ".htm"}


class _TextExtractor(HTMLParser):
    """Visible text of an HTML page; script/style contents are dropped."""

    _SKIP = {"script", "style", "noscript", "template", "head", "svg"}
    _BLOCK = {
        "p",
        "div",
        "br",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "section",
        "article",
        "header",
        "footer",
        "blockquote",
        "pre",
        "ul",
        "ol",
        "table",
        "title",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skip_depth += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip_depth:
            self.parts.append(data)

    def text(self) -> str:
        raw = unescape("".join(self.parts))
        lines = [" ".join(line.split()) for line in raw.splitlines()]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return parser.text()


# The same limit as `.streamlit/config.toml` server.maxUploadSize (MB of 2**20 bytes, as Streamlit counts
# and states it in the uploader); tests/test_add_article.py checks that the two agree.
UPLOAD_LIMIT_MB = 5
UPLOAD_LIMIT_BYTES = UPLOAD_LIMIT_MB * 1024 * 1024


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),  # before UTF-16: longer
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.I)


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark announces ("utf-32", "utf-16"; UTF-8's BOM is read as UTF-8), or None:
    the one BOM sniffer, used for articles and dataset files alike."""
    return next((enc for bom, enc in _BOMS if data.startswith(bom)), None)


def _declared_encoding(name: str, data: bytes) -> str | None:
    """The encoding an HTML page declares in its first 2 kB (as browsers look for it), or None."""
    found = _META_CHARSET.search(data[:2048])
    if not found:
        return None
    label = found.group(1).decode("ascii").lower()
    try:
        info = codecs.lookup(label)
    except LookupError:
        raise ValueError(f"{name}: unknown character encoding {label!r} in its <meta charset>") from None
    if not getattr(info, "_is_text_encoding", True) or info.name == "utf-7":  # rot13, base64 …: not text
        raise ValueError(f"{name}: unsupported character encoding {label!r} in its <meta charset>")
    # As browsers do (WHATWG Encoding): a page whose markup we could read is not UTF-16/32, and Latin-1
    # or ASCII labels mean windows-1252 (its curly quotes and dashes sit where Latin-1 has controls).
    if info.name.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return "cp1252" if info.name in {"iso8859-1", "latin-1", "ascii"} else info.name


def article_text(name: str, data: bytes) -> str:
    """Text of article bytes named `name` (.txt, .md, .html/.htm).

    UTF-8 (BOM allowed); UTF-16/32 with a byte-order mark (Windows "Unicode" text); HTML in the encoding
    its `<meta charset>` declares. Encodings are never guessed: a wrong guess would put misread place
    names on the map. Raises ValueError naming `name` for anything else."""
    suffix = Path(name).suffix.lower()
    if suffix not in TEXT_SUFFIXES:
        raise ValueError(f"{name}: unsupported file type {suffix or '(none)'!r}; expected .txt, .md or .html")
    encoding = bom_encoding(data) or (_declared_encoding(name, data) if suffix in {".html", ".htm"} else None)
    if encoding is None and b"\x00" in data:
        raise ValueError(f"{name}: binary file (contains NUL bytes), not text")
    try:
        text = data.decode(encoding or "utf-8-sig").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{name}: not valid {encoding or 'UTF-8'} text (byte {exc.start}); save it as UTF-8") from None
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > max(8, len(text) // 100):
        raise ValueError(f"{name}: looks binary (control characters), not text")
    if suffix in {".html", ".htm"}:
        return html_to_text(text)
    return text


def read_article(path: str | Path) -> str:
    """Text of an article file; see `article_text`."""
    p = Path(path)
    if p.suffix.lower() not in TEXT_SUFFIXES:
        raise ValueError(f"{p}: unsupported file type {p.suffix or '(none)'!r}; expected .txt, .md or .html")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ValueError(f"{p}: cannot read file: {exc.strerror or exc}") from None
    return article_text(str(p), data)


def read_upload(name: str, data: bytes, limit: int = UPLOAD_LIMIT_BYTES) -> str:
    """Text of an uploaded article, refusing files over `limit` bytes before decoding them."""
    if len(data) > limit:
        mb = 1024 * 1024
        raise ValueError(f"{name}: {len(data) / mb:.1f} MB is over the {limit / mb:g} MB limit for articles")
    return article_text(name, data)


def read_jsonl_corpus(path: str | Path) -> list[tuple[int, dict]]:
    """(line number, record) for each non-blank line of a JSONL corpus whose records have 'id' and 'text'.

    Raises `geo.errors.UserError` naming the file and line of the first bad record, or why the file
    cannot be read.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as fh:
    ...     _ = fh.write('{"id": "a", "text": "Rain in Oslo."}\\n\\n')
    >>> [(n, r["id"]) for n, r in read_jsonl_corpus(fh.name)]
    [(1, 'a')]
    >>> os.unlink(fh.name)
    """
    import json

    from geo.errors import UserError

    records = []
    try:
        with open(path, encoding="utf-8-sig") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                    if not isinstance(rec, dict) or "id" not in rec or not isinstance(rec.get("text"), str):
                        raise ValueError
                except ValueError:
                    raise UserError(f"{path}:{n}: expected a JSON object with 'id' and 'text'") from None
                records.append((n, rec))
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not valid UTF-8 text") from None
    return records
