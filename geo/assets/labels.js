/* Briefing Atlas basemap labels: countries, capitals and cities, seas and land features, admin-1
 * regions, from window.ATLAS_LABELS (geo/assets/labels/labels.js, built by tools/make_labels.py).
 *
 * Each label is a DOM element (.atlas-label, textContent only) in its own pane. A greedy pass places
 * them in the data's priority order and skips any label whose box would overlap a label already
 * placed or an event dot of the canvas; it runs again after every zoom, move or layer change.
 */
(function () {
  "use strict";

  var GROUP = {
    country: "country", capital: "capital", city: "city", admin1: "admin1",
    ocean: "water", sea: "water", bay: "water", gulf: "water", strait: "water", lake: "water"
  };
  var POINT_KINDS = { capital: true, city: true };  // labelled beside a small pin; others centred
  var GAPS = [5, 12, 30, 52];  // px between a city's point and its label, tried in turn; the last two only
  // for a city under event dots (52: clear of a fanned pile)
  var SPACE = 3;  // px kept free around each placed label
  var GRID = 64;  // px cells of the collision index

  var rowsCache = null;

  function rows() {
    if (rowsCache) return rowsCache;
    var data = window.ATLAS_LABELS;
    if (!data || !data.rows) return [];
    var f = {};
    data.fields.forEach(function (name, i) { f[name] = i; });
    rowsCache = data.rows.map(function (r, i) {
      var kind = r[f.kind];
      var group = GROUP[kind] || "land";
      var cls = "atlas-label atlas-label-" + group + " atlas-label-" + kind;
      return { id: i, name: r[f.name], kind: kind, cls: cls, lat: r[f.lat], lon: r[f.lon], minzoom: r[f.minzoom] };
    });
    return rowsCache;
  }

  /* Collision index: boxes {x0, y0, x1, y1} bucketed in GRID-px cells. */
  function Index() { this.cells = new Map(); }
  Index.prototype.cellsOf = function (b, fn) {
    for (var cx = Math.floor(b.x0 / GRID); cx <= Math.floor(b.x1 / GRID); cx++) {
      for (var cy = Math.floor(b.y0 / GRID); cy <= Math.floor(b.y1 / GRID); cy++) fn(cx * 100003 + cy);
    }
  };
  Index.prototype.add = function (b) {
    var cells = this.cells;
    this.cellsOf(b, function (k) { var c = cells.get(k); if (!c) cells.set(k, c = []); c.push(b); });
  };
  Index.prototype.hits = function (b) {
    var cells = this.cells, hit = false;
    this.cellsOf(b, function (k) {
      if (hit) return;
      var c = cells.get(k);
      if (!c) return;
      for (var i = 0; i < c.length; i++) {
        var o = c[i];
        if (b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1) { hit = true; return; }
      }
    });
    return hit;
  };

  // Positions to try for a label of size w×h at point (x, y): centred for areas; for cities right,
  // left, above and below the point, nearest first.
  function positions(x, y, w, h, pointLike, farOut) {
    if (!pointLike) return [[x - w / 2, y - h / 2], [x - w / 2, y - h * 1.5], [x - w / 2, y + h / 2]];
    var out = [];
    GAPS.slice(0, farOut ? GAPS.length : 2).forEach(function (g) {
      out.push([x + g, y - h / 2], [x - g - w, y - h / 2], [x - w / 2, y - g - h], [x - w / 2, y + g]);
    });
    return out;
  }

  /* The greedy pass (pure; exercised by the browser tests). `candidates` in priority order, each
     {x, y, w, h, point}; `obstacles` boxes nothing may cover (event dots); `view` the box labels
     must stay inside. Returns, per candidate, its box or null. */
  function place(candidates, obstacles, view) {
    var index = new Index(), blocked = new Index();
    obstacles.forEach(function (b) { blocked.add(b); });
    return candidates.map(function (c) {
      // A city whose point is under a label already placed would be named ambiguously: skip it. Its
      // pin may sit under an event dot (a pile's hub marks the city then), drawn without the pin.
      var pin = c.point ? { x0: c.x - 3, y0: c.y - 3, x1: c.x + 3, y1: c.y + 3 } : null;
      if (pin && index.hits(pin)) return null;
      // Far from its point only when event dots sit on it (a fanned pile): the label clears the ring.
      var onDots = !!pin && blocked.hits(pin);
      var tries = positions(c.x, c.y, c.w, c.h, c.point, onDots);
      for (var i = 0; i < tries.length; i++) {
        var b = { x0: tries[i][0], y0: tries[i][1], x1: tries[i][0] + c.w, y1: tries[i][1] + c.h };
        if (view && (b.x0 < view.x0 || b.y0 < view.y0 || b.x1 > view.x1 || b.y1 > view.y1)) continue;
        if (blocked.hits(b) || index.hits(b)) continue;
        b.pin = !!pin && !onDots;
        index.add({ x0: b.x0 - SPACE, y0: b.y0 - SPACE, x1: b.x1 + SPACE, y1: b.y1 + SPACE });
        if (b.pin) index.add(pin);
        return b;
      }
      return null;
    });
  }

  // Boxes of the event dots drawn on the map's data canvas, in layer pixels (uncertainty rings,
  // which are areas, and hidden dots excluded).
  function dotBoxes(map) {
    var renderer = map.atlas && map.atlas.renderer, out = [];
    if (!renderer || !renderer._layers) return out;
    Object.keys(renderer._layers).forEach(function (id) {
      var l = renderer._layers[id];
      if (!(l instanceof L.CircleMarker) || l instanceof L.Circle || l.atlasHidden || !l._point) return;
      var r = (l._radius || 0) + (l.options.stroke ? (l.options.weight || 0) / 2 : 0) + 1;
      out.push({ x0: l._point.x - r, y0: l._point.y - r, x1: l._point.x + r, y1: l._point.y + r });
    });
    return out;
  }

  // Boxes of the map's controls (legend, zoom, attribution), in layer pixels: labels go around them.
  function controlBoxes(map) {
    var container = map.getContainer(), origin = container.getBoundingClientRect(), out = [];
    container.querySelectorAll(".leaflet-control").forEach(function (el) {
      var r = el.getBoundingClientRect();
      if (!r.width || !r.height) return;
      var a = map.containerPointToLayerPoint([r.left - origin.left, r.top - origin.top]);
      out.push({ x0: a.x, y0: a.y, x1: a.x + r.width, y1: a.y + r.height });
    });
    return out;
  }

  // Text sizes, measured in the page (one layout for all new labels) and kept per style.
  function measure(state, list) {
    var present = state.map.getContainer().classList.contains("atlas-present") ? "p|" : "n|";
    var todo = [];
    list.forEach(function (row) {
      var key = present + row.cls + "|" + row.name;
      row.size = state.sizes.get(key);
      if (!row.size) todo.push([row, key]);
    });
    if (!todo.length) return;
    var box = L.DomUtil.create("div", "atlas-label-measure", state.pane);
    var els = todo.map(function (t) {
      var e = document.createElement("div");
      e.className = t[0].cls;
      e.textContent = t[0].name;
      box.appendChild(e);
      return e;
    });
    els.forEach(function (e, i) {
      var size = [Math.ceil(e.offsetWidth) + 1, Math.ceil(e.offsetHeight)];
      state.sizes.set(todo[i][1], size);
      todo[i][0].size = size;
    });
    box.remove();
  }

  function relabel(state) {
    var map = state.map;
    state.timer = null;
    if (!map._loaded || map._animatingZoom) return;
    var zoom = Math.round(map.getZoom());
    var size = map.getSize();
    var topLeft = map.containerPointToLayerPoint([0, 0]);
    var view = { x0: topLeft.x + 2, y0: topLeft.y + 2, x1: topLeft.x + size.x - 2, y1: topLeft.y + size.y - 2 };
    // Only places whose point is on screen: a label pushed in from outside would name the wrong spot.
    var bounds = map.getBounds();
    var list = rows().filter(function (r) { return r.minzoom <= zoom && bounds.contains([r.lat, r.lon]); });
    var controls = controlBoxes(map);
    list = list.filter(function (r) {  // a place under the legend or a button can't be pointed at
      var p = map.latLngToLayerPoint([r.lat, r.lon]);
      return !controls.some(function (b) { return p.x >= b.x0 && p.x <= b.x1 && p.y >= b.y0 && p.y <= b.y1; });
    });
    measure(state, list);
    var candidates = list.map(function (r) {
      var p = map.latLngToLayerPoint([r.lat, r.lon]);
      return { x: p.x, y: p.y, w: r.size[0], h: r.size[1], point: !!POINT_KINDS[r.kind] };
    });
    var boxes = place(candidates, dotBoxes(map).concat(controls), view);
    var keep = new Map();
    boxes.forEach(function (b, i) {
      if (!b) return;
      var r = list[i];
      var el = state.shown.get(r.id);
      if (!el) {
        el = document.createElement("div");
        el.className = r.cls;
        el.textContent = r.name;
        el.setAttribute("aria-hidden", "true");  // map furniture: the event list is what screen readers get
        state.pane.appendChild(el);
      }
      el.style.width = r.size[0] + "px";
      L.DomUtil.setPosition(el, L.point(b.x0, b.y0));
      setPin(el, b.pin ? [candidates[i].x - b.x0, candidates[i].y - b.y0] : null);
      keep.set(r.id, el);
    });
    state.shown.forEach(function (el, id) { if (!keep.has(id)) el.remove(); });
    state.shown = keep;
  }

  function setPin(el, at) {
    var pin = el.firstElementChild;
    if (!at) { if (pin) pin.remove(); return; }
    if (!pin) { pin = document.createElement("span"); pin.className = "atlas-label-pin"; el.appendChild(pin); }
    pin.style.left = at[0] + "px";
    pin.style.top = at[1] + "px";
  }

  function schedule(state) {
    if (state.timer) return;
    state.timer = setTimeout(function () { relabel(state); }, 40);
  }

  var AtlasLabels = {
    /* Adds the labels pane to `map` and keeps it up to date. */
    attach: function (map) {
      if (map.atlasLabels || !window.ATLAS_LABELS) return null;
      var pane = map.createPane("atlasLabels");
      pane.classList.add("atlas-labels-pane", "leaflet-zoom-hide");  // hidden while a zoom animates
      var state = map.atlasLabels = { map: map, pane: pane, shown: new Map(), sizes: new Map(), timer: null };
      map.on("zoomend moveend resize layeradd layerremove", function () { schedule(state); });
      map.whenReady(function () { schedule(state); });
      if (map.attributionControl) map.attributionControl.addAttribution("Names: GeoNames");
      return state;
    },
    /* Place the labels again soon (after dots were hidden, shown or moved without a layer event). */
    refresh: function (map) { if (map.atlasLabels) schedule(map.atlasLabels); },
    /* Place the labels now; returns how many are shown (tests and measurements). */
    refreshNow: function (map) {
      if (!map.atlasLabels) return 0;
      relabel(map.atlasLabels);
      return map.atlasLabels.shown.size;
    },
    place: place,
    dotBoxes: dotBoxes
  };

  window.AtlasLabels = AtlasLabels;
})();
