"""Scripts the render benchmark (and the browser tests) run inside the page: what is drawn, blank-map
monitoring, and the watch that times a filter change from inside the page."""

# How many event dots a map has drawn (-1: no map yet). The atlas tags its dots; the naive app's
# only circle markers are its events.
DRAWN = """
() => {
  const map = (window.atlasMaps && window.atlasMaps.length) ? window.atlasMaps[window.atlasMaps.length - 1] : window.map;
  if (!map || !window.L) return -1;
  if (window.atlasMaps && !(map.atlas && map.atlas.legend)) return -1;
  let n = 0;
  const atlas = !!window.atlasMaps;
  map.eachLayer(l => { if (l instanceof L.CircleMarker && !(l instanceof L.Circle) && !l.atlasHidden && (!atlas || l.atlasKind === 'events')) n++; });
  return n;
}
"""


NEXT_FRAME = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"


# The no-blank monitor (also used by the browser tests): samples every animation frame whether a
# painted Leaflet map is on screen and whether it is still the same map. It finds the map through
# `window.map`, which st_folium sets in its iframe, so the naive app is measured the same way.
NO_BLANK_MONITOR = """
() => {
  window.__blankMs = 0; window.__maps = new Set(); window.__samples = 0;
  let last = performance.now();
  const tick = (now) => {
    const iframe = [...document.querySelectorAll('iframe')].find(f => { try { return f.contentWindow.map; } catch (e) { return false; } });
    let painted = false;
    if (iframe && iframe.offsetHeight > 0) {
      const map = iframe.contentWindow.map;
      map.__probeId = map.__probeId || Math.random();
      window.__maps.add(map.__probeId);
      const pane = map.getContainer();
      painted = pane.offsetHeight > 0 && !!pane.querySelector('.leaflet-overlay-pane svg path, .leaflet-overlay-pane canvas');
    }
    if (!painted) window.__blankMs += now - last;
    window.__samples++;
    last = now;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
"""


# Each page times itself: a watcher in the top page keeps count of the event dots on the map in its
# iframe (recounted only after the map's addLayer/removeLayer or a canvas redraw ran: a recount every
# tick would itself load the page at 20k dots), checks every 20 ms whether the count is the number
# expected, and then notes the time two animation frames later (the frame with them has
# been presented), in ms since the page's navigation started. Timing in the page keeps Playwright's
# round trips (and, with ten sessions, one Python loop polling them in turn) out of the figures, for
# both apps alike. Dots are told apart as in DRAWN.
WATCH = """
(expected) => {
  if (window.top !== window) return;
  const watch = window.__atlasWatch = {expected: expected, startMs: 0, doneMs: null};
  const counters = new Map();  // map → {n}
  const counter = (w) => {
    const map = (w.atlasMaps && w.atlasMaps.length) ? w.atlasMaps[w.atlasMaps.length - 1] : w.map;
    if (!map || !w.L || typeof map.eachLayer !== 'function') return null;
    if (w.atlasMaps && !(map.atlas && map.atlas.legend)) return null;
    let c = counters.get(map);
    if (!c) {
      const atlas = !!w.atlasMaps;
      const isDot = (l) => l instanceof w.L.CircleMarker && !(l instanceof w.L.Circle) && !l.atlasHidden && (!atlas || l.atlasKind === 'events');
      c = {n: 0, dirty: true, count() { let n = 0; map.eachLayer(l => { if (isDot(l)) n++; }); this.n = n; this.dirty = false; }};
      // Wrapping the two methods flags a change at no cost per layer (a layeradd/layerremove listener
      // would make Leaflet build an event object for every dot added or removed).
      for (const name of ['addLayer', 'removeLayer']) {
        const own = map[name];
        map[name] = function () { c.dirty = true; return own.apply(this, arguments); };
      }
      // The atlas hides filtered-out dots on its canvas (`atlasHidden`) instead of removing them: a
      // canvas redraw is the other moment the count can change.
      const redraw = w.L.Canvas.prototype._redraw;
      w.L.Canvas.prototype._redraw = function () { c.dirty = true; return redraw.apply(this, arguments); };
      counters.set(map, c);
    }
    if (c.dirty) c.count();
    return c;
  };
  setInterval(() => {
    if (watch.expected === null) return;
    for (const iframe of document.querySelectorAll('iframe')) {
      let w = null;
      try { w = iframe.contentWindow; if (!w || !w.L) continue; } catch (e) { continue; }
      const c = counter(w);
      if (!c || c.n !== watch.expected) continue;
      watch.expected = null;
      w.requestAnimationFrame(() => w.requestAnimationFrame(() => { watch.doneMs = performance.now(); }));
      return;
    }
  }, 20);
}
"""


# Re-arm the watcher for the next count (a filter change): `startMs` is now.
REARM = "(expected) => { const w = window.__atlasWatch; w.doneMs = null; w.startMs = performance.now(); w.expected = expected; }"


WATCHED = "() => window.__atlasWatch && window.__atlasWatch.doneMs !== null ? window.__atlasWatch.doneMs - window.__atlasWatch.startMs : null"
