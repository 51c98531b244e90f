"""README screenshots of the explorer (docs/img/explorer.png, docs/img/explorer-details.png).

    python tools/readme_shots.py [--seeds FOLDER]

Runs the app on a free loopback port, opens it in headless Debian Chromium and saves the two images.
Before saving, it reads the text visible on screen (page and map frame, clipped by every scrolling panel)
and refuses to save an image that shows a sentence of the seed articles (the details panel quotes
source passages: the shot is framed so they stay out of view). `--seeds` names the folder of seed
articles to check against (default: $GEO_SEEDS_DIR, else ../shared/seeds beside the repository).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import browser  # noqa: E402  (tests/browser.py: app server, Chromium, outside-request guard)

from geo.articles.sentences import split_sentences  # noqa: E402

# Text nodes on screen: inside the viewport and inside every ancestor that clips (scrolling panels).
VISIBLE_TEXT = """() => {
  const out = [], vw = innerWidth, vh = innerHeight;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    if (!text) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      let left = Math.max(r.left, 0), top = Math.max(r.top, 0);
      let right = Math.min(r.right, vw), bottom = Math.min(r.bottom, vh);
      for (let el = node.parentElement; el; el = el.parentElement) {
        const style = getComputedStyle(el);
        if (style.visibility === 'hidden' || style.display === 'none') { right = left; break; }
        if (/(auto|scroll|hidden|clip)/.test(style.overflow + style.overflowY + style.overflowX)) {
          const c = el.getBoundingClientRect();
          left = Math.max(left, c.left); top = Math.max(top, c.top);
          right = Math.min(right, c.right); bottom = Math.min(bottom, c.bottom);
        }
      }
      if (right - left > 1 && bottom - top > 1) { out.push(text); break; }
    }
  }
  return out.join('\\n');
}"""


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("“", '"').replace("”", '"').replace("’", "'")).strip().lower()


SHINGLE = 8  # words in a row shared with a seed article that count as quoting it


def shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+(?:'\w+)?", text)
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def seed_sentences(folder: Path) -> list[str]:
    sentences = []
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for start, end in split_sentences(text):
            sentence = normalise(text[start:end])
            if len(sentence) >= 25:  # a sentence, not a heading or a name
                sentences.append(sentence)
    return sentences


def quoted(shown: str, sentences: list[str]) -> list[str]:
    """Seed sentences visible whole, or in part: any SHINGLE words in a row (a quoted passage may be a
    sentence's fragment)."""
    seen = shingles(shown)
    return [s for s in sentences if s in shown or shingles(s) & seen]


def visible_text(page) -> str:
    parts = []
    for frame in page.frames:
        try:
            parts.append(frame.evaluate(VISIBLE_TEXT))
        except Exception:  # a frame without a body, or gone
            continue
    return normalise("\n".join(parts))


def shoot(page, out: Path, sentences: list[str]) -> None:
    found = quoted(visible_text(page), sentences)
    if found:
        raise SystemExit(f"{out.name}: a seed sentence would be visible, not saved: {found[0][:60]}…")
    page.screenshot(path=str(out))
    print(f"wrote {out.relative_to(ROOT)} ({len(sentences)} seed sentences checked, none visible)")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seeds", type=Path, default=Path(os.environ.get("GEO_SEEDS_DIR") or ROOT.parent / "shared" / "seeds")
    )
    args = parser.parse_args(argv)
    sentences = seed_sentences(args.seeds)
    if not sentences:
        raise SystemExit(f"no seed articles in {args.seeds}: cannot check the images (use --seeds)")
    img = ROOT / "docs" / "img"
    with browser.streamlit_app() as url, browser.browser() as chromium:
        log = browser.PageLog()
        page = browser.new_page(chromium, log, viewport=(1600, 1000))
        page.goto(url + "/")
        frame = browser.map_frame(page, timeout_s=120)
        browser.open_filters(page)  # the first image shows the filters too (the explorer starts with them folded)
        frame.get_by_role("button", name="Legend").click()
        frame.wait_for_timeout(600)  # let the labels settle after the legend opens (no data changes)
        shoot(page, img / "explorer.png", sentences)
        page.context.close()

        page = browser.new_page(chromium, log, viewport=(1600, 860))
        page.goto(url + "/?event=victory-day-parade")
        frame = browser.map_frame(page, timeout_s=120)
        page.get_by_role("heading", name="Victory Day parade").wait_for(timeout=60_000)
        page.locator("iframe[title*='atlas_event_table']").first.wait_for(timeout=60_000)  # the page is complete
        frame.get_by_role("button", name="Events in view").click()
        frame.locator(".atlas-events-item").first.wait_for(state="visible")
        frame.locator('.atlas-events-item[data-id="victory-day-parade"]').focus()
        frame.wait_for_timeout(600)
        shoot(page, img / "explorer-details.png", sentences)
        page.context.close()
    if log.outside_requests or log.console_errors:
        raise SystemExit(f"outside requests {log.outside_requests} or console errors {log.console_errors}")


if __name__ == "__main__":
    main()
