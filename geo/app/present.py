"""Presenter mode (`?mode=present`) and speaker notes (`?mode=notes`) for app.py.

The step lives in the URL (`&step=N`, 1-based) so a link opens a given step. The notes window follows
the presenter's window over a BroadcastChannel (same browser, same origin: no network). The map is
mounted once: its script is the same on every rerun and only the feature group (the step's data plus a
fly-to) changes, so Next/Previous fly the map instead of reloading it. Text reaches the page through `escape.escape_html` (st.html) or Streamlit's own text
elements; nothing here builds markup from unescaped data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import folium
import streamlit as st
from streamlit_folium import st_folium

from geo.app import changes as app_changes
from geo.dataset import stories
from geo.web import briefing, elements, escape, mapview, presenter, storymap

MAP_KEY = "present_map"
MAP_HEIGHT = 560  # before the page's script has measured the window (FIT_JS)

# Hides Streamlit's chrome and sets presentation type: ≥ 20 px body, ≥ 32 px titles, near-black on white
# (contrast survives video-call compression better than subtle greys or colour-only cues).
CHROME_CSS = """
<style>
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"], [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="collapsedControl"], [data-testid="stSidebarNav"], #MainMenu, footer { display: none !important; }
[data-testid="stMainBlockContainer"], .block-container { padding: 0.75rem 1.5rem 0.5rem !important; max-width: none !important; }
[data-testid="stAppViewContainer"], .stApp { background: #ffffff; color: #0b0b0b; }
.stApp p, .stApp li, .stApp label { font-size: 20px; }
.stApp .stButton button, .stApp .stDownloadButton button, .stApp .stLinkButton a { min-height: 3.2rem; border: 2px solid #1f2937; }
.stApp .stButton button p, .stApp .stDownloadButton button p, .stApp .stLinkButton a p { font-size: 22px; font-weight: 600; }
.stApp .atlas-bar { display: flex; align-items: baseline; gap: 1.5rem; border-bottom: 3px solid #0b0b0b; padding-bottom: 0.4rem; }
.stApp .atlas-bar-title { font-size: 24px; font-weight: 700; flex: 1; }
.stApp .atlas-bar-counter { font-size: 24px; font-weight: 700; background: #0b0b0b; color: #fff; padding: 0.1rem 0.7rem; border-radius: 6px; }
.stApp .atlas-bar a { font-size: 20px; color: #0047ab; font-weight: 600; text-decoration: underline; }
.stApp .atlas-step-title { font-size: 36px; line-height: 1.15; font-weight: 800; margin: 0.2rem 0 0.6rem; color: #0b0b0b; }
.stApp .atlas-step-when { font-size: 20px; font-weight: 600; color: #1f2937; border-left: 6px solid #0072b2; padding-left: 0.6rem; margin-bottom: 0.9rem; }
.stApp .atlas-step-caption { font-size: 26px; line-height: 1.4; color: #0b0b0b; margin: 0 0 1rem; }
.stApp .atlas-notes { font-size: 30px; line-height: 1.45; white-space: pre-line; color: #0b0b0b; }
/* The view fits the window (no page scroll): the map's iframe takes the height below the bar (FIT_JS),
   the panel beside it no more, its caption scrolling if it must so the buttons stay on screen. */
iframe[title="streamlit_folium.st_folium"] {
  height: var(--atlas-present-map-h, calc(100vh - 110px)) !important; display: block; }
.stApp .st-key-atlas_panel {
  max-height: var(--atlas-present-map-h, calc(100vh - 110px)); overflow: hidden; flex-wrap: nowrap; }
.stApp .st-key-atlas_panel > .stElementContainer:has(.atlas-step) { flex: 0 1 auto; min-height: 0; overflow-y: auto; }
/* The blocks holding only this style sheet and the scripts take no room (and add no gap above the bar). */
[data-testid="stMainBlockContainer"] .stElementContainer:has(> [data-testid="stMarkdown"] style),
[data-testid="stMainBlockContainer"] .stElementContainer:has(> [data-testid="stHtml"]):not(
  :has(> [data-testid="stHtml"] > :not(script, style))) { display: none; }
@media (max-height: 800px) {
  .stApp .atlas-step-title { font-size: 32px; margin-bottom: 0.4rem; }
  .stApp .atlas-step-caption { font-size: 22px; line-height: 1.35; margin-bottom: 0.4rem; }
  .stApp .atlas-step-when { margin-bottom: 0.6rem; }
  .stApp .stButton button, .stApp .stDownloadButton button, .stApp .stLinkButton a { min-height: 2.6rem; }
  .stApp .stButton button p, .stApp .stDownloadButton button p, .stApp .stLinkButton a p { font-size: 20px; }
}
.stApp .atlas-notes-next { font-size: 24px; margin-top: 1.5rem; padding: 0.6rem 0.9rem; background: #f1f5f9; border-left: 6px solid #d55e00; }
</style>
"""

# Keyboard control for presenters with a clicker (ArrowRight/PageDown, ArrowLeft/PageUp): clicks the
# buttons, so the URL and the map update exactly as with the mouse. The map's iframe hands the same keys
# over as `atlas-present-key` events (geo/web/presenter.py), so they step after a click in the map too.
# Space is announced as an `atlas-play-toggle` event on this document, for a playback control to handle;
# "." and "b" (a clicker's blank-screen button) black the window out and back.
KEYS_JS = """
<script>
(function (steps, play, blankKeys) {
  var doc = window.parent && window.parent.document ? window.parent.document : document;
  var win = doc.defaultView || window;
  if (doc.__atlasKeys) return;
  doc.__atlasKeys = true;
  function blank(on) {
    var cover = doc.querySelector(".atlas-blank");
    if (on && !cover) {
      cover = doc.createElement("div");
      cover.className = "atlas-blank";
      cover.setAttribute("aria-label", "Screen blanked: press B or . to show it again");
      cover.style.cssText = "position:fixed;inset:0;background:#000;z-index:2147483647;cursor:none";
      doc.body.appendChild(cover);
    } else if (!on && cover) {
      cover.remove();
    }
  }
  function act(key) {
    if (blankKeys.indexOf(key) >= 0) { blank(!doc.querySelector(".atlas-blank")); return true; }
    blank(false);
    if (key === play) { doc.dispatchEvent(new win.CustomEvent("atlas-play-toggle")); return true; }
    var which = steps[key];
    if (!which) return false;
    var button = doc.querySelector(".st-key-atlas_" + which + " button");
    if (button && !button.disabled) button.click();
    return true;
  }
  doc.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target || {};
    var tag = target.tagName || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable) return;
    if (act(event.key)) event.preventDefault();
  });
  doc.addEventListener("atlas-present-key", function (event) { act(event.detail && event.detail.key); });
  win.addEventListener("message", function (event) {
    if (event.data && typeof event.data.atlasPresentKey === "string") act(event.data.atlasPresentKey);
  });
})(%s, %s, %s);
</script>
"""

# The map fills the window below the bar: its top is measured here and the height left over is set as
# `--atlas-present-map-h`, which CHROME_CSS gives the map's iframe (st_folium's own height is fixed
# pixels); inside the iframe, atlas.css makes the map fill its frame, and Leaflet follows the resize.
FIT_JS = """
<script>
(function () {
  var doc = window.parent && window.parent.document ? window.parent.document : document;
  var win = doc.defaultView || window;
  if (doc.__atlasFit) { doc.__atlasFit(); return; }
  var queued = false;
  function fit() {
    queued = false;
    var frame = doc.querySelector('iframe[title="streamlit_folium.st_folium"]');
    if (!frame) return;
    var scrolled = 0;
    for (var node = frame.parentElement; node; node = node.parentElement) scrolled += node.scrollTop || 0;
    var height = Math.max(240, Math.floor(win.innerHeight - frame.getBoundingClientRect().top - scrolled - %d)) + "px";
    var root = doc.documentElement;
    var name = "--atlas-present-map-h";
    if (root.style.getPropertyValue(name) !== height) root.style.setProperty(name, height);
  }
  function queue() { if (!queued) { queued = true; win.requestAnimationFrame(fit); } }
  doc.__atlasFit = queue;
  win.addEventListener("resize", queue);
  new win.MutationObserver(queue).observe(doc.body, {childList: true, subtree: true});
  queue();
})();
</script>
"""
MAP_BOTTOM_GAP = 14  # px below the map: the page's bottom padding and a little air


# The notes window follows the presenter window of the same story: each shown step is announced on a
# BroadcastChannel, and a notes window that opens (or reloads) asks for the current step. Following is a
# reload of the notes page at that step — it has no map, so that is cheap, and a step that arrives
# while it reloads is not lost, because the reloaded page asks again. One way only: notes never move the
# presenter, so two windows can't chase each other's steps.
SYNC_JS = """
<script>
(function (shown) {
  var doc = window.parent && window.parent.document ? window.parent.document : document;
  var win = doc.defaultView || window;
  if (!win.BroadcastChannel) return;
  doc.__atlasShown = shown;
  var channel = doc.__atlasChannel;
  if (!channel) {
    channel = doc.__atlasChannel = new win.BroadcastChannel("atlas-story");
    channel.onmessage = function (event) {
      var me = doc.__atlasShown, msg = event.data || {};
      if (msg.story !== me.story) return;
      if (me.mode === "present" && msg.kind === "hello") {
        channel.postMessage({kind: "step", story: me.story, step: me.step});
      } else if (me.mode === "notes" && msg.kind === "step" && msg.step !== me.step && !doc.__atlasLeaving) {
        doc.__atlasLeaving = true;
        var query = new win.URLSearchParams(win.location.search);
        query.set("step", String(msg.step));
        win.location.search = query.toString();
      }
    };
    if (shown.mode === "notes") channel.postMessage({kind: "hello", story: shown.story});
  }
  if (shown.mode === "present") channel.postMessage({kind: "step", story: shown.story, step: shown.step});
})(%s);
</script>
"""


def _keys_html() -> str:
    return KEYS_JS % (
        escape.script_json(presenter.STEP_KEYS),
        escape.script_json(presenter.PLAY_KEY),
        escape.script_json(list(presenter.BLANK_KEYS)),
    )


def _sync_html(mode: str, story: stories.Story, number: int) -> str:
    return SYNC_JS % escape.script_json({"mode": mode, "story": story.name, "step": number})


# ---------------------------------------------------------------- entry point


def render(layers: Mapping[str, Any], mode: str, signature: str) -> None:
    st.html(CHROME_CSS)
    story = _story(layers)
    if story is None:
        return
    # since= (kept from the explorer, or in a link): a first step with what changed, marks on every map.
    found = app_changes.from_url(signature)
    if found and "error" in found:
        st.warning("Changes since: " + escape.escape_markdown(found["error"]))
        found = None
    story, marks = storymap.with_changes(story, found)
    number = stories.clamp(st.query_params.get("step", 1), len(story.steps))
    if st.query_params.get("step") != str(number):
        st.query_params["step"] = str(number)  # normalise, so the address bar is a shareable link
    # One element for both scripts: each st.html adds a gap above the page.
    st.html(
        _keys_html() + (FIT_JS % MAP_BOTTOM_GAP if mode == "present" else "") + _sync_html(mode, story, number),
        unsafe_allow_javascript=True,
    )
    if mode == "notes":
        _notes(layers, story, number)
    else:
        _present(layers, story, number, signature, marks)


def _story_name() -> str:
    # Only names of files in data/stories: a URL must not be able to point at other files on disk.
    wanted = str(st.query_params.get("story", "") or "")
    return wanted if wanted in stories.available() else stories.DEFAULT_STORY


def _story(layers: Mapping[str, Any]) -> stories.Story | None:
    try:
        return stories.load(_story_name(), layers)
    except stories.StoryError as exc:
        st.html(_bar("Presenter mode", ""))
        st.error("The story has problems:", icon="⚠️")
        st.code("\n".join(exc.errors), language=None)  # messages quote data: shown as plain text
        return None


def _go(number: int) -> None:
    st.query_params["step"] = str(number)


# ---------------------------------------------------------------- pieces


def _bar(title: str, counter: str, extra: str = "") -> str:
    counter_html = f'<span class="atlas-bar-counter">{escape.escape_html(counter)}</span>' if counter else ""
    return (
        f'<div class="atlas-bar"><span class="atlas-bar-title">{escape.escape_html(title)}</span>'
        f'{counter_html}{extra}<a href="{escape.escape_html(_exit_href())}" class="atlas-exit">'
        "Exit presenter mode</a></div>"
    )


def _exit_href() -> str:
    """Back to the explorer's view: its filters came along in the URL (geo/web/presenter.py)."""
    params = st.query_params
    return presenter.exit_href((key, value) for key in params for value in params.get_all(key))


def _caption_html(layers: Mapping[str, Any], step: stories.Step) -> str:
    when = storymap.when_where(layers, step)
    return (
        f'<div class="atlas-step"><div class="atlas-step-title">{escape.escape_html(step.title)}</div>'
        + (f'<div class="atlas-step-when">{escape.escape_html(when)}</div>' if when else "")
        + (f'<p class="atlas-step-caption">{escape.escape_html(step.caption)}</p>' if step.caption else "")
        + "</div>"
    )


def _nav(number: int, count: int) -> None:
    prev_col, next_col = st.columns(2)
    prev_col.button(
        "◀ Previous", key="atlas_prev", on_click=_go, args=(number - 1,), disabled=number <= 1, use_container_width=True
    )
    next_col.button(
        "Next ▶", key="atlas_next", on_click=_go, args=(number + 1,), disabled=number >= count, use_container_width=True
    )


def step_group(
    layers: Mapping[str, Any], story: stories.Story, number: int, marks: Mapping[str, Any] | None = None
) -> folium.FeatureGroup:
    """The step's data and view as st_folium's `feature_group_to_add` (with `since` marks, if any)."""
    group = folium.FeatureGroup(name="atlas-story-step", control=False)
    elements.AtlasData(storymap.step_payload_marked(layers, story, number, marks)).add_to(group)
    elements.FlyTo(storymap.step_view(layers, story.step(number))).add_to(group)
    return group


def _base_map():
    """The same script on every rerun (no data, fixed start view), so st_folium never remounts it;
    the first step's fit happens in the feature group."""
    base = mapview.make_map({}, with_data=False, served_assets=True)
    elements.PresenterStyle().add_to(base)
    return base


@st.cache_data(show_spinner=False, max_entries=4)
def _briefing_bytes(signature: str, story_name: str, since: str, _layers: Mapping[str, Any]) -> bytes:
    """The briefing of what is presented: the same story, and the same since= step and marks."""
    found = app_changes.for_spec(since, signature)
    usable = None if found and "error" in found else found
    story, marks = storymap.with_changes(stories.load(story_name, _layers), usable)
    return briefing.render(_layers, story, marks).encode("utf-8")


def _notes_href(story: stories.Story, number: int, since: str) -> str:
    """The notes view of this step, with the same since= (so its steps number as the presenter's)."""
    pairs = [("mode", "notes"), ("story", story.name), ("step", str(number))]
    return "?" + urlencode(pairs + ([("since", since)] if since else []))


def _present(
    layers: Mapping[str, Any],
    story: stories.Story,
    number: int,
    signature: str,
    marks: Mapping[str, Any] | None = None,
) -> None:
    step = story.step(number)
    since = app_changes.url_spec(st.query_params)  # for the notes link and the download (made later)
    st.html(_bar(story.title, f"Step {number} of {len(story.steps)}"))
    map_col, panel_col = st.columns([7, 3], gap="medium")
    with map_col:
        st_folium(
            _base_map(),
            key=MAP_KEY,
            height=MAP_HEIGHT,
            use_container_width=True,
            returned_objects=[],
            feature_group_to_add=step_group(layers, story, number, marks),
        )
    # A keyed container: CHROME_CSS keeps it within the window, the caption scrolling if it must.
    with panel_col, st.container(key="atlas_panel"):
        st.html(_caption_html(layers, step))
        _nav(number, len(story.steps))
        st.link_button("Speaker notes (second screen)", _notes_href(story, number, since), use_container_width=True)
        st.download_button(
            "Download briefing (HTML)",
            key="atlas_download",
            data=lambda: _briefing_bytes(signature, story.name, since, layers),
            file_name=f"briefing-{story.name}.html",
            mime="text/html",
            on_click="ignore",
            use_container_width=True,
        )


def _notes(layers: Mapping[str, Any], story: stories.Story, number: int) -> None:
    step = story.step(number)
    st.html(_bar(f"Speaker notes · {story.title}", f"Step {number} of {len(story.steps)}"))
    following = story.steps[number].title if number < len(story.steps) else "End of the story"
    st.html(
        f'<div class="atlas-step-title">{escape.escape_html(step.title)}</div>'
        f'<div class="atlas-notes">{escape.escape_html(step.notes or step.caption or "No notes for this step.")}</div>'
        f'<div class="atlas-notes-next"><strong>Next:</strong> {escape.escape_html(following)}</div>'
    )
    _nav(number, len(story.steps))
