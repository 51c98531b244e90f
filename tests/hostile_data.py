"""Hostile input for tests (issue 9): script payloads and non-ASCII text injected into a copy of data/.

Every payload, if it ever ran, would set `window.__pwned` and/or open an `alert` dialog; tests check in
Chromium that neither happened and that the text is shown exactly as written.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

PAYLOADS = [
    "<script>window.__pwned=1;alert(1)</script>",
    '<img src=x onerror="window.__pwned=2;alert(2)">',
    '<svg onload="window.__pwned=3;alert(3)"></svg>',
    '"><script>window.__pwned=4;alert(4)</script><a x="',
    "'><img src=x onerror=window.__pwned=5;alert(5)>",
    "</script><script>window.__pwned=6;alert(6)</script>",
    "`;window.__pwned=7;alert(7);`",
    "${window.__pwned=8}${alert(8)}",
    "{{ 7*7 }}{% raw %}{{ this }}",
    '<iframe src="javascript:parent.__pwned=9;alert(9)"></iframe>',
    "[click](javascript:window.__pwned=10) ![px](http://evil.example/p.png)",
    '<a href="javascript:window.__pwned=11">link</a>',
    '=HYPERLINK("http://evil.example/x","y")',
    "<!-- <style>body{display:none}</style>",
    "\u2028\u2029 <b>separators</b> & &amp; &lt;script&gt;",
    "**bold** $x^2$ :red[colour] #hash \\back",
]
NON_ASCII = ["北京阅兵", "Курская область", "Ñandú"]
JS_URL = "javascript:window.__pwned=12;alert(12)"
EVIL_ID = 'evil"><img src=x onerror=window.__pwned=13>'
EVIL_PLACE = "Ñandú <svg onload=window.__pwned=14> 平壤"


def hostile(n: int, tag: str) -> str:
    """A field value: non-ASCII text, payload number n % len, and a tag to find it again."""
    return f"{NON_ASCII[n % len(NON_ASCII)]} {PAYLOADS[n % len(PAYLOADS)]} ·{tag}"


def _rewrite_csv(path: Path, edit) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    extra = edit(rows, fields)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows + (extra or []))
    path.write_text(out.getvalue(), encoding="utf-8")
    return rows


def make_hostile_dataset(dst: Path) -> dict:
    """Copy data/ to `dst` with payloads in every text field; returns what each field now says."""
    shutil.copytree(PROJECT_ROOT / "data", dst)
    expected: dict = {
        "event_titles": {},
        "event_summaries": {},
        "actor_names": {},
        "actor_native": {},
        "route_names": {},
        "region_names": {},
    }
    counter = iter(range(10_000))

    def events(rows, fields):
        for r in rows:
            n = next(counter)
            r["title"] = hostile(n, f"title-{r['id']}")
            r["summary"] = hostile(n + 1, f"summary-{r['id']}")
            if n % 3 == 0:
                r["type"] = hostile(n + 2, "type")
            expected["event_titles"][r["id"]] = r["title"]
            expected["event_summaries"][r["id"]] = r["summary"]
        extra = {f: "" for f in fields}
        extra.update(
            id=EVIL_ID,
            title=hostile(5, "title-evil"),
            summary=hostile(6, "summary-evil"),
            date="2025-09-03",
            place=EVIL_PLACE,
            place_precision="exact",
            actors="xi",
            type=PAYLOADS[1],
        )
        expected["event_titles"][EVIL_ID] = extra["title"]
        expected["event_summaries"][EVIL_ID] = extra["summary"]
        return [extra]

    _rewrite_csv(dst / "events.csv", events)

    def places(rows, fields):
        extra = {f: "" for f in fields}
        extra.update(name=EVIL_PLACE, lat="39.0", lon="125.75", country="KP", precision="exact", note=PAYLOADS[0])
        return [extra]

    _rewrite_csv(dst / "places.csv", places)

    def actors(rows, fields):
        for r in rows:
            n = next(counter)
            r["name"] = hostile(n, f"name-{r['id']}")
            r["native_name"] = hostile(n + 1, f"native-{r['id']}")
            r["role"] = hostile(n + 2, "role")
            expected["actor_names"][r["id"]] = r["name"]
            expected["actor_native"][r["id"]] = r["native_name"]

    _rewrite_csv(dst / "actors.csv", actors)

    def relations(rows, fields):
        for r in rows:
            n = next(counter)
            r["type"] = hostile(n, "reltype")
            r["summary"] = hostile(n + 1, "relsummary")

    _rewrite_csv(dst / "relations.csv", relations)

    def figures(rows, fields):
        for r in rows:
            n = next(counter)
            r["name"], r["unit"] = hostile(n, "figname"), hostile(n + 1, "unit")
            r["qualifier"], r["claimed_by"] = PAYLOADS[n % len(PAYLOADS)], hostile(n + 2, "claimed")

    _rewrite_csv(dst / "figures.csv", figures)

    def citations(rows, fields):
        for r in rows:
            if r.get("citation"):
                n = next(counter)
                r["citation"] = hostile(n, "citation")
                r["url"] = JS_URL if n % 2 else "https://example.org/" + PAYLOADS[n % len(PAYLOADS)][:20]
        return [
            {
                **{f: "" for f in fields},
                "layer": "events",
                "item": EVIL_ID,
                "citation": hostile(7, "cite-evil"),
                "url": JS_URL,
            }
        ]

    _rewrite_csv(dst / "citations.csv", citations)

    for name, key in (("routes.geojson", "route_names"), ("regions.geojson", "region_names")):
        doc = json.loads((dst / name).read_text(encoding="utf-8"))
        for feat in doc["features"]:
            props = feat["properties"]
            n = next(counter)
            props["name"] = hostile(n, f"{key}-{props['id']}")
            props["description"] = hostile(n + 1, "description")
            props["kind"] = hostile(n + 2, "kind")
            if "waypoints" in props:
                props["waypoints"] = [hostile(n + i, "wp") for i, _ in enumerate(props["waypoints"])]
            expected[key][props["id"]] = props["name"]
        (dst / name).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    manifest = PROJECT_ROOT / "seeds" / "sources.csv"
    if manifest.is_file():
        shutil.copy(manifest, dst / "sources.csv")

        def titles(rows, fields):
            for r in rows:
                n = next(counter)
                r["title"], r["publisher"] = hostile(n, "article-title"), hostile(n + 1, "publisher")

        _rewrite_csv(dst / "sources.csv", titles)

    story = dst / "stories" / "default.toml"
    if story.is_file():
        lines = []
        for line in story.read_text(encoding="utf-8").splitlines():
            for key in ("title", "caption", "description"):
                if line.startswith(f"{key} = "):
                    line = f"{key} = " + json.dumps(hostile(next(counter), f"story-{key}"), ensure_ascii=False)
            lines.append(line)
        story.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return expected


def warm_cache() -> None:
    """Copy the developer's gazetteer index into this session's cache folder (it takes ~15 s to build)."""
    from geo import config

    target = config.cache_dir()
    for folder in (PROJECT_ROOT / "build" / "cache", PROJECT_ROOT / "build"):
        for index in folder.glob("gazetteer-v*.pkl"):
            if not (target / index.name).exists():
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(index, target / index.name)


# Run in every frame: did anything execute, and did any active markup reach the DOM?
PROBE_JS = """() => ({
  pwned: window.__pwned === undefined ? null : String(window.__pwned),
  active: Array.from(document.querySelectorAll(
      '[onerror],[onload],[onclick],iframe[src^="javascript"],a[href^="javascript"],img[src="x"],img[src*="evil.example"]'))
    .map(n => n.outerHTML.slice(0, 120)),
})"""


def probe_all_frames(page) -> list[dict]:
    results = []
    for frame in page.frames:
        try:
            results.append(frame.evaluate(PROBE_JS))
        except Exception:  # a frame that went away while we looked
            continue
    return results


def assert_nothing_ran(page, log) -> None:
    results = probe_all_frames(page)
    assert all(r["pwned"] is None for r in results), results
    assert all(not r["active"] for r in results), results
    assert log.dialogs == [], log.dialogs
    assert log.outside_requests == [], log.outside_requests
