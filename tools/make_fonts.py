"""Rebuild the vendored CJK web fonts (geo/assets/fonts/) from the npm @fontsource packages.

    python tools/make_fonts.py            # fetches the pinned packages with `npm pack` into build/fonts-src/
    python tools/make_fonts.py --src DIR  # DIR holds the unpacked packages (DIR/noto-sans-sc/package/…)

Run it again whenever the dataset or the UI strings change (tests/test_fonts.py fails when a Chinese or
Korean character of data/, app.py or geo/ is missing from the subset). It writes:

- atlas-cjk.woff2 / atlas-cjk-bold.woff2: every Han / Hangul / CJK punctuation character the dataset and
  the UI use, Chinese characters from Noto Sans SC and Hangul from Noto Sans KR, weights 400 and 700;
- chunks/sc-N.woff2, chunks/kr-N.woff2: the packages' own unicode-range slices (weight 400 only, CJK
  ranges only), which a browser downloads only when text needs them (text a user adds later);
- atlas-cjk.css: the faces of the family "Atlas CJK", which the app's theme font (.streamlit/config.toml),
  the map (atlas.css) and presenter mode name after their Latin font.

The output is deterministic: the same inputs give the same bytes (fixed timestamps, sorted glyphs).
Trade-offs are written down in docs/fonts.md.
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "geo" / "assets" / "fonts"
CACHE = ROOT / "build" / "fonts-src"
PACKAGES = {"sc": ("@fontsource/noto-sans-sc", "5.3.0"), "kr": ("@fontsource/noto-sans-kr", "5.3.0")}
FAMILY = "Atlas CJK"
SUBSET_WEIGHTS = {400: "atlas-cjk.woff2", 700: "atlas-cjk-bold.woff2"}
CHUNK_WEIGHT = 400
FIXED_TIME = 3_660_681_600  # 2020-01-01 in seconds since 1904 (the font epoch): no build-time stamp

# Code points the CJK fonts are used for. Everything else (Latin, Cyrillic, emoji, symbols) stays with the
# page's own fonts: the Noto SC slices also hold emoji, which would otherwise replace colour emoji.
CJK_RANGES = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3040, 0x30FF),  # kana (Chinese and Korean texts quote Japanese names)
    (0x3100, 0x312F),  # Bopomofo
    (0x3130, 0x318F),  # Hangul compatibility Jamo
    (0x3190, 0x31FF),  # Kanbun, CJK strokes, kana extensions
    (0x3200, 0x33FF),  # enclosed CJK letters, CJK compatibility
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA960, 0xA97F),  # Hangul Jamo extended-A
    (0xAC00, 0xD7FF),  # Hangul syllables, Jamo extended-B
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # half- and fullwidth forms
    (0x20000, 0x3134F),  # CJK extensions B-G
)
HANGUL = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7FF))
# Where the dataset and the UI strings live.
TEXT_GLOBS = ("data/*.csv", "data/*.geojson", "data/stories/*.toml", "app.py", "geo/**/*.py")


def in_ranges(cp: int, ranges=CJK_RANGES) -> bool:
    """Whether code point `cp` falls in one of `ranges` (inclusive pairs).

    Examples
    --------
    >>> in_ranges(ord("习")), in_ranges(ord("김")), in_ranges(ord("Ж"))
    (True, True, False)
    """
    return any(lo <= cp <= hi for lo, hi in ranges)


def text_chars(root: Path = ROOT) -> set[int]:
    """Every CJK code point in the dataset and the UI sources under `root`.

    Examples
    --------
    >>> ord("习") in text_chars()
    True
    """
    found: set[int] = set()
    for pattern in TEXT_GLOBS:
        for path in sorted(root.glob(pattern)):
            found.update(ord(ch) for ch in path.read_text(encoding="utf-8") if in_ranges(ord(ch)))
    return found


# ------------------------------------------------------------------ sources


def fetch(dest: Path = CACHE) -> Path:
    """Unpack the pinned packages into dest/<name>/package (npm pack, once)."""
    for key, (name, version) in PACKAGES.items():
        target = dest / f"noto-sans-{key}"
        if (target / "package" / "package.json").is_file():
            continue
        dest.mkdir(parents=True, exist_ok=True)
        out = (
            subprocess.run(
                ["npm", "pack", f"{name}@{version}", "--silent"], cwd=dest, check=True, capture_output=True, text=True
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        with tarfile.open(dest / out) as tar:
            tar.extractall(target, filter="data")
        (dest / out).unlink()
    return dest


_FACE = re.compile(r"files/(noto-sans-(\w+)-(\d+)-(\d+)-normal\.woff2).*?unicode-range:\s*([^;]*);", re.DOTALL)


def parse_range(text: str) -> list[tuple[int, int]]:
    """CSS unicode-range text → inclusive (lo, hi) pairs.

    Examples
    --------
    >>> parse_range("U+4e00-4e01,U+ff0c")
    [(19968, 19969), (65292, 65292)]
    """
    pairs = []
    for part in text.replace(" ", "").split(","):
        lo, _, hi = part[2:].partition("-")
        pairs.append((int(lo, 16), int(hi or lo, 16)))
    return pairs


def chunks(src: Path, key: str, weight: int) -> list[tuple[int, Path, list[tuple[int, int]]]]:
    """(slice number, file, unicode ranges) of the numbered slices of one package and weight."""
    package = src / f"noto-sans-{key}" / "package"
    css = (package / f"{weight}.css").read_text(encoding="utf-8")
    found = [(int(m.group(3)), package / "files" / m.group(1), parse_range(m.group(5))) for m in _FACE.finditer(css)]
    return sorted(found)


def clip(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of `ranges` inside CJK_RANGES."""
    out = []
    for lo, hi in ranges:
        for clo, chi in CJK_RANGES:
            a, b = max(lo, clo), min(hi, chi)
            if a <= b:
                out.append((a, b))
    return out


def minus(ranges: list[tuple[int, int]], points: set[int]) -> list[tuple[int, int]]:
    """`ranges` without `points`.

    Examples
    --------
    >>> minus([(10, 14)], {12})
    [(10, 11), (13, 14)]
    """
    out = []
    for lo, hi in ranges:
        start = lo
        for cp in sorted(p for p in points if lo <= p <= hi):
            if start < cp:
                out.append((start, cp - 1))
            start = cp + 1
        if start <= hi:
            out.append((start, hi))
    return out


def css_range(ranges) -> str:
    return ",".join(f"U+{lo:x}" if lo == hi else f"U+{lo:x}-{hi:x}" for lo, hi in ranges)


def ranges_of(points: set[int]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for cp in sorted(points):
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return [(lo, hi) for lo, hi in out]


# ------------------------------------------------------------------ subset


def build_subset(src: Path, points: set[int], weight: int) -> tuple[bytes, set[int]]:
    """One woff2 holding `points`: Hangul from Noto Sans KR, everything else from Noto Sans SC (KR as a
    fallback). Glyphs are copied outline by outline into a new font (the slices are parts of one font, so
    their metrics agree). Returns (woff2 bytes, code points that no slice holds)."""
    slices = {key: chunks(src, key, weight) for key in PACKAGES}
    opened: dict[Path, TTFont] = {}

    def holder(key: str, cp: int) -> TTFont | None:
        for _, path, ranges in slices[key]:
            if in_ranges(cp, ranges):
                font = opened.setdefault(path, TTFont(path))
                if cp in font.getBestCmap():
                    return font
        return None

    glyphs, advances, cmap, missing = {}, {".notdef": 1000}, {}, set()
    for cp in sorted(points):
        keys = ("kr", "sc") if in_ranges(cp, HANGUL) else ("sc", "kr")
        font = next((f for f in (holder(key, cp) for key in keys) if f is not None), None)
        if font is None:
            missing.add(cp)
            continue
        name, source = f"u{cp:04X}", font.getBestCmap()[cp]
        recording = DecomposingRecordingPen(font.getGlyphSet())  # components → plain outlines
        font.getGlyphSet()[source].draw(recording)
        pen = TTGlyphPen(None)
        recording.replay(pen)
        glyphs[name], advances[name], cmap[cp] = pen.glyph(), font["hmtx"][source][0], name
    notdef = TTGlyphPen(None)  # an outlined box: outer contour clockwise, inner counter-clockwise
    for contour in (
        ((100, -120), (100, 880), (900, 880), (900, -120)),
        ((160, -60), (840, -60), (840, 820), (160, 820)),
    ):
        notdef.moveTo(contour[0])
        for point in contour[1:]:
            notdef.lineTo(point)
        notdef.closePath()
    glyphs[".notdef"] = notdef.glyph()
    base = TTFont(slices["sc"][0][1])
    order = [".notdef"] + sorted(n for n in glyphs if n != ".notdef")
    metrics = {}
    for name in order:  # left side bearing = xMin, as the glyf table computes it
        glyphs[name].recalcBounds(None)
        metrics[name] = advances[name], getattr(glyphs[name], "xMin", 0)
    hhea, os2 = base["hhea"], base["OS/2"]
    fb = FontBuilder(base["head"].unitsPerEm, isTTF=True)
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap(cmap)
    fb.setupGlyf({name: glyphs[name] for name in order})
    fb.setupHorizontalMetrics(metrics)
    fb.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent, lineGap=hhea.lineGap)
    style = "Bold" if weight >= 700 else "Regular"
    fb.setupNameTable(
        {
            "familyName": FAMILY,
            "styleName": style,
            "uniqueFontIdentifier": f"{FAMILY} {style} subset",
            "fullName": f"{FAMILY} {style}",
            "psName": f"AtlasCJK-{style}",
            "version": "Version 1.0; subset of Noto Sans SC/KR (fontsource 5.3.0)",
            "licenseDescription": "SIL Open Font License 1.1 (see OFL.txt)",
        }
    )
    fb.setupOS2(
        sTypoAscender=os2.sTypoAscender,
        sTypoDescender=os2.sTypoDescender,
        sTypoLineGap=os2.sTypoLineGap,
        usWinAscent=os2.usWinAscent,
        usWinDescent=os2.usWinDescent,
        usWeightClass=weight,
        fsSelection=0x20 if weight >= 700 else 0x40,
        achVendID="NONE",
    )
    fb.setupPost()
    fb.setupHead(
        unitsPerEm=base["head"].unitsPerEm, created=FIXED_TIME, modified=FIXED_TIME, macStyle=1 if weight >= 700 else 0
    )
    font = fb.font
    font.flavor = "woff2"
    buf = io.BytesIO()
    font.recalcTimestamp = False
    font.save(buf)
    return buf.getvalue(), missing


# ------------------------------------------------------------------ css + output


def face(family: str, url: str, weight: int, ranges) -> str:
    return (
        f"@font-face{{font-family:'{family}';font-style:normal;font-weight:{weight};font-display:swap;"
        f"src:url({url}) format('woff2');unicode-range:{css_range(ranges)}}}\n"
    )


def stylesheet(family: str, chunk_faces: list[tuple[str, list]], subset_ranges) -> str:
    """Slice faces, then the subset faces. The slices' ranges leave out the subset's characters: with
    overlapping ranges Chromium fetches every face that covers a character in use, so the dataset's text
    would download slices it never draws."""
    head = (
        "/* Generated by tools/make_fonts.py — do not edit. Noto Sans SC / KR (SIL OFL 1.1, see OFL.txt):\n"
        "   slices load on demand by unicode-range; the subset holds the dataset's and the UI's glyphs. */\n"
    )
    body = "".join(face(family, url, CHUNK_WEIGHT, ranges) for url, ranges in chunk_faces)
    body += "".join(face(family, name, weight, subset_ranges) for weight, name in SUBSET_WEIGHTS.items())
    return head + body


def build(src: Path, out: Path = OUT, root: Path = ROOT) -> dict:
    """Write every output file; returns figures for the summary line."""
    points = text_chars(root)
    out.mkdir(parents=True, exist_ok=True)
    figures = {"chars": len(points)}
    for weight, name in SUBSET_WEIGHTS.items():
        data, missing = build_subset(src, points, weight)
        if missing:
            raise SystemExit(f"no Noto slice holds {''.join(map(chr, sorted(missing)))!r}")
        (out / name).write_bytes(data)
        figures[name] = len(data)
    chunk_dir = out / "chunks"
    if chunk_dir.exists():
        shutil.rmtree(chunk_dir)
    chunk_dir.mkdir()
    chunk_faces, total = [], 0
    for key in PACKAGES:
        for number, path, ranges in chunks(src, key, CHUNK_WEIGHT):
            kept = minus(clip(ranges), points)  # no overlap with the subset: a slice loads only when needed
            if not kept:
                continue
            target = chunk_dir / f"{key}-{number}.woff2"
            shutil.copyfile(path, target)
            total += target.stat().st_size
            chunk_faces.append((f"chunks/{target.name}", kept))
    figures["chunks"], figures["chunk_bytes"] = len(chunk_faces), total
    subset_ranges = ranges_of(points)
    (out / "atlas-cjk.css").write_text(stylesheet(FAMILY, chunk_faces, subset_ranges), encoding="utf-8")
    shutil.copyfile(src / "noto-sans-sc" / "package" / "LICENSE", out / "OFL.txt")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, help="unpacked packages (default: fetch into build/fonts-src)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--fetch-only", action="store_true", help="only unpack the packages (CI, for the test)")
    args = parser.parse_args(argv)
    src = args.src or fetch()
    if args.fetch_only:
        print(f"font sources in {src}")
        return 0
    figures = build(src, args.out)
    print(" ".join(f"{k}={v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
