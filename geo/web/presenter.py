"""Presenter mode's pure pieces: the link back to the explorer, and the map-side script.

The explorer's filters travel in the URL while presenting (`?actor=kim&q=Beijing&mode=present&step=3`):
presenter mode owns only `mode`, `step` and `story` (it also reads `since`, which it shares with the
explorer), so the rest is the view to return to, and **Exit presenter mode** links to it (`exit_href`). A reload or a shared presenter link keeps it too.

Inside the map's iframe (`MAP_JS`, run by `elements.PresenterStyle`): Leaflet's keyboard panning is
off, and the keys that step a presentation are handed to the page around the iframe, so they step even
after a click in the map. The page (geo/app/present.py) listens for the `atlas-present-key` event on its
document; Space there becomes an `atlas-play-toggle` event on the same document for a playback control,
and "." or "b" (a clicker's blank-screen button) blacks the window out until the next key.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

# Query parameters that belong to presenter mode and the notes view, never to the explorer's view.
PRESENTER_PARAMS = frozenset({"mode", "step", "story"})

# Keys a presenter or a clicker sends; handled by the page (present.KEYS_JS), forwarded from the map.
STEP_KEYS = {"ArrowRight": "next", "PageDown": "next", "ArrowLeft": "prev", "PageUp": "prev"}
PLAY_KEY = " "
# A clicker's "blank screen" button sends "." or "b" (as in slide software): the window goes black until
# the next key.
BLANK_KEYS = (".", "b")


def explorer_params(items: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (key, value) pairs of a presenter URL that describe the explorer's view, in their order.

    Parameters
    ----------
    items : iterable of (str, str)
        The query's pairs; a key may repeat (`actor=kim&actor=xi`).

    Returns
    -------
    list of (str, str)
        The pairs without presenter mode's own parameters (`PRESENTER_PARAMS`).
    """
    return [(str(key), str(value)) for key, value in items if key not in PRESENTER_PARAMS]


def exit_href(items: Iterable[tuple[str, str]]) -> str:
    """The relative link that leaves presenter mode for the explorer view it was entered from.

    Parameters
    ----------
    items : iterable of (str, str)
        The presenter URL's query pairs.

    Returns
    -------
    str
        `"?"` plus the URL-encoded explorer pairs (only `"?"` when there are none). Not HTML-escaped.
    """
    return "?" + urlencode(explorer_params(items))


# Run once per map inside the st_folium iframe, with the Leaflet map as `map`. The listener sits on the
# iframe's document in the capture phase, so it sees the key before Leaflet or the page's scrolling.
MAP_JS = """(function (map, keys) {
  var box = map.getContainer();
  box.classList.add("atlas-present", "atlas-present-app");
  if (map.keyboard) map.keyboard.disable();  // arrows step the story; the map still pans on drag
  document.documentElement.style.overflow = "hidden";
  // The class above gave the map its frame's height, and the page sizes the frame to the window: Leaflet
  // measures its container only when told, so tell it, and fit the step's view (FlyTo) to the new size.
  // (Leaflet's own window-resize handler may get there first: the refit hangs on the map's resize event.)
  map.on("resize", function (event) {
    var view = map.atlasStoryView;
    if (view && event.newSize.x > 0 && event.newSize.y > 0) {
      map.fitBounds(view.bounds, {padding: [view.padding, view.padding], maxZoom: view.maxZoom, animate: false});
    }
  });
  map.invalidateSize();
  if (window.ResizeObserver) new ResizeObserver(function () { map.invalidateSize(); }).observe(box);
  if (document.__atlasPresentKeys) return;
  document.__atlasPresentKeys = true;
  document.addEventListener("keydown", function (event) {
    if (!keys[event.key] || event.altKey || event.ctrlKey || event.metaKey) return;
    var tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    event.preventDefault();
    event.stopPropagation();
    try {
      var page = window.parent.document;
      page.dispatchEvent(new page.defaultView.CustomEvent("atlas-present-key", {detail: {key: event.key}}));
    } catch (err) {  // a page on another origin: it may listen for messages instead
      window.parent.postMessage({atlasPresentKey: event.key}, "*");
    }
  }, true);
})"""


def map_script(map_name: str) -> str:
    """The statement that sets up presenter mode on the Leaflet map named `map_name` (a JS identifier
    made by folium, never data)."""
    keys = "{" + ", ".join(f'"{key}": 1' for key in (*STEP_KEYS, PLAY_KEY, *BLANK_KEYS)) + "}"
    return f"{MAP_JS}({map_name}, {keys});"
