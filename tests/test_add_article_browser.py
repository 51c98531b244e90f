"""Adding an article as an editor in a browser: drafts accepted, one edited, one made from a selection;
the map shows them with their passages, a reload keeps them, undo removes them; a viewer cannot write.
A private copy of data/ (GEO_DATA_DIR), an empty sources folder (GEO_SOURCES_DIR), an editor secret."""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

import browser
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRET = "a long editor secret for browser tests"
# Invented for this test (never a seed text).
ARTICLE = (
    "Ulaanbaatar, 12 March 2026\n"
    "Mongolia's foreign minister met his Kazakh counterpart in Ulaanbaatar on Tuesday to discuss rail freight.\n"
    "On Friday, about 2,000 people protested in Almaty against higher fuel prices, according to local police.\n"
    "Builders of the Power of Siberia 2 pipeline visited Irkutsk last month.\n"
)
SELECTED = "about 2,000 people protested in Almaty"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    browser.require_chromium()
    from geo import access

    root = tmp_path_factory.mktemp("add-article")
    data, sources, build = root / "data", root / "sources", root / "build"
    shutil.copytree(PROJECT_ROOT / "data", data)
    sources.mkdir()
    env = {
        "GEO_BUILD_DIR": str(build),
        "GEO_DATA_DIR": str(data),
        "GEO_SOURCES_DIR": str(sources),
        "GEO_EDITOR_SECRET_HASH": access.make_hash(SECRET),
    }
    with browser.streamlit_app(env=env) as url:
        yield url, data, sources


@pytest.fixture(scope="module")
def chromium():
    with browser.browser() as instance:
        yield instance


def wait_for(predicate, timeout_s: float = 30.0, interval_s: float = 0.1):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval_s)
    raise AssertionError(f"condition not met within {timeout_s:.0f} s")


def digest(*folders: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in folders
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


MAP_EVENTS = """() => {
    const map = window.atlasMaps[window.atlasMaps.length - 1];
    const ids = [];
    map.eachLayer(l => { if (l.atlasKind === 'events' && !l.atlasHidden && l.atlasProps) ids.push(l.atlasProps.id); });
    return ids;
}"""


def map_events(page) -> set[str]:
    """Event ids drawn on the current map (the map is remounted when the dataset changes)."""
    try:
        return set(browser.map_frame(page, timeout_s=60).evaluate(MAP_EVENTS))
    except Exception:  # the frame was replaced while asked: ask the new one next time
        return set()


def open_app(chromium, url, log):
    page = browser.new_page(chromium, log, viewport=(1500, 1000))
    page.goto(url)
    frame = browser.map_frame(page, timeout_s=90)
    browser.open_filters(page, timeout_s=60)
    page.get_by_role("button", name="Find places").or_(page.get_by_text("Add an article")).first.wait_for(timeout=60000)
    return page, frame


def unlock(page):
    browser.open_filters(page, timeout_s=60)  # the editor's controls sit under the filters
    page.get_by_role("textbox", name="Editor secret").fill(SECRET)
    page.get_by_role("textbox", name="Editor secret").press("Enter")
    page.get_by_role("button", name="Unlock editing").click()
    page.get_by_text("Editing unlocked for this session.").first.wait_for(timeout=30000)


def add_article(page):
    expander = page.get_by_text("Add an article")
    if not page.get_by_role("textbox", name="Paste text").is_visible():
        expander.click()
    box = page.get_by_role("textbox", name="Paste text")
    box.fill(ARTICLE)
    box.press("Control+Enter")
    page.get_by_role("button", name="Find places").click()
    page.get_by_text("Drafted events (pasted text)").wait_for(timeout=90000)


def choose_draft(page, n: int):
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Draft").first
    option = page.get_by_role("option").filter(has_text=f"{n} · ").first

    def opened():
        if not option.is_visible():
            box.click()
            return False
        return True

    wait_for(opened, interval_s=0.5)
    option.click()
    wait_for(lambda: page.get_by_role("button", name=f"Save draft {n}").is_visible())


def decide(page, n: int, title: str | None = None):
    choose_draft(page, n)
    form = page.locator('[data-testid="stForm"]')
    form.get_by_text("accept", exact=True).click()
    if title:
        form.get_by_role("textbox", name="Title").fill(title)
    form.get_by_role("button", name=f"Save draft {n}").click()
    page.get_by_text(f"Draft {n} saved (accept)").wait_for(timeout=30000)


SELECT = """(phrase) => {
    const box = document.querySelector('[data-testid="atlas-article-text"]');
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
        const i = node.data.indexOf(phrase);
        if (i >= 0) {
            const range = document.createRange();
            range.setStart(node, i);
            range.setEnd(node, i + phrase.length);
            const sel = document.getSelection();
            sel.removeAllRanges();
            sel.addRange(range);
            box.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
            return true;
        }
    }
    return false;
}"""


def test_viewer_cannot_write_in_the_browser(chromium, site):
    url, data, sources = site
    log = browser.PageLog()
    page, _ = open_app(chromium, url, log)
    add_article(page)
    before = digest(data, sources)
    for name in ("Write the accepted drafts to the dataset", "Undo my last acceptance", "Save review"):
        assert page.get_by_role("button", name=name).is_disabled(), name
    page.get_by_text("unlock editing in the sidebar").first.wait_for()
    assert digest(data, sources) == before
    # upload + pasted text: the message says which one was used; the uploader states the limit applied
    from geo.articles import reading

    page.get_by_text(f"{reading.UPLOAD_LIMIT_MB}MB per file").wait_for()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        {"name": "other.txt", "mimeType": "text/plain", "buffer": b"Engineers travelled to Irkutsk on Monday.\n"}
    )
    page.get_by_text("other.txt").first.wait_for()
    page.get_by_role("button", name="Find places").click()
    page.get_by_text("Used the uploaded file other.txt; the pasted text was not used").wait_for(timeout=60000)
    assert log.outside_requests == [], log.outside_requests
    page.context.close()


def test_editor_adds_an_article_accepts_edits_selects_reloads_and_undoes(chromium, site):
    url, data, sources = site
    log = browser.PageLog()
    page, frame = open_app(chromium, url, log)
    shown_before = set(frame.evaluate(MAP_EVENTS))
    unlock(page)
    add_article(page)
    # the map frames the article's places, listed in the legend in their own style
    wait_for(
        lambda: (
            "Place named in the added article" in browser.map_frame(page).evaluate("() => document.body.textContent")
        )
    )
    page.get_by_text("Names containing a place").wait_for()
    page.get_by_text("Briefing Atlas").first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(browser.ARTIFACTS / "add-article-map.png"))  # docs/img/add-article-map.png

    decide(page, 1, title="Rail freight talks in Ulaanbaatar")  # accepted and edited
    decide(page, 2)  # accepted as drafted
    assert page.evaluate(SELECT, SELECTED)
    page.get_by_text("Selected: “" + SELECTED).wait_for(timeout=30000)
    page.get_by_role("button", name="New event from the selection").click()
    page.get_by_text("made from the selection").wait_for(timeout=30000)
    page.locator("mark").first.wait_for()  # the drafts' passages are highlighted
    (data.parent / "shots").mkdir(exist_ok=True)
    browser.ARTIFACTS.mkdir(exist_ok=True)
    page.get_by_text("Drafted events (pasted text)").evaluate("e => e.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(browser.ARTIFACTS / "add-article-review.png"))  # docs/img/add-article.png

    page.get_by_role("button", name="Write the accepted drafts to the dataset").click()
    page.get_by_text("Accepted 3 event(s)").wait_for(timeout=90000)
    new = wait_for(lambda: map_events(page) - shown_before, timeout_s=60)
    frame = browser.map_frame(page)
    assert len(new) == 3, new
    events_csv = (data / "events.csv").read_text(encoding="utf-8")
    assert "Rail freight talks in Ulaanbaatar" in events_csv
    stored = list(sources.glob("*.txt"))
    assert len(stored) == 1
    text = stored[0].read_text(encoding="utf-8")
    # each new event opens with its passage quoted from the stored article
    import csv

    cites = {
        r["item"]: text[int(r["start"]) : int(r["end"])]
        for r in csv.DictReader((data / "citations.csv").open(encoding="utf-8"))
        if r["item"] in new
    }
    assert set(cites) == new and any(c == SELECTED for c in cites.values())
    for event_id in sorted(new):
        frame = browser.map_frame(page)
        frame.evaluate(
            """(id) => { const map = window.atlasMaps[window.atlasMaps.length - 1];
            map.eachLayer(l => { if (l.atlasKind === 'events' && l.atlasProps && l.atlasProps.id === id)
                                   l.fire('click', {latlng: l.getLatLng()}); }); }""",
            event_id,
        )
        passage = " ".join(cites[event_id].split())
        wait_for(lambda p=passage: p in " ".join(page.locator("body").inner_text().split()))
    page.screenshot(path=str(browser.ARTIFACTS / "add-article-accepted.png"), full_page=False)

    page.reload()
    assert new <= wait_for(lambda: map_events(page))  # a reload keeps them
    unlock(page)
    page.get_by_role("button", name="Undo my last acceptance").click()
    try:
        page.get_by_text("Undone: removed").first.wait_for(timeout=90000)
    except Exception:
        page.screenshot(path=str(browser.ARTIFACTS / "undo-fail.png"), full_page=True)
        raise AssertionError(page.locator("body").inner_text()[:3000]) from None
    wait_for(lambda: (lambda shown: shown and not shown & new)(map_events(page)), timeout_s=60)
    assert "Rail freight talks in Ulaanbaatar" not in (data / "events.csv").read_text(encoding="utf-8")
    assert log.outside_requests == [], log.outside_requests
    assert log.console_errors == [], log.console_errors
    page.context.close()
