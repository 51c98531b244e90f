/* Briefing Atlas explorer (the app's map only; atlas.js calls in when Atlas.init gets `explorer`).
 *
 * - Layer switches: a tick in the map's layer control is reported to the app (st_folium's channel), which
 *   updates the sidebar, the count and the URL; the app then sends the view back. One source of truth:
 *   the app's layer list.
 * - Map position in the URL (`c=lat,lon&z=zoom`), written by the browser as the map moves (no rerun),
 *   and kept when the app rewrites the address for a filter change.
 * - Zoom to results: a button, and automatically when a filter leaves nothing shown in view.
 * - Hover: a dot under the mouse and the events table's row light up together (BroadcastChannel
 *   "atlas-events", shared with the table component, same origin).
 * Everything from data is set with textContent or as data, never as markup.
 */
(function () {
  "use strict";

  var CHANNEL = "atlas-events";
  var reportSeq = 0;

  function explorerOf(map) { return map.atlas && map.atlas.explorer; }

  // ------------------------------------------------------------------ the app's channel (st_folium)
  function send(extra) {
    var channel = window.Streamlit, shared = window.__GLOBAL_DATA__;
    if (!channel || !shared || typeof channel.setComponentValue !== "function") return false;
    channel.setComponentValue(Object.assign({}, shared.previous_data || {}, extra));
    return true;
  }

  function reportLayers(map) {
    var state = map.atlas, shown = [], listed = [];
    (state.overlayList || []).forEach(function (pair) {
      var kind = pair[2] || pair[1].atlasKind;
      if (!kind) return;
      listed.push(kind);
      if (map.hasLayer(pair[1])) shown.push(kind);
    });
    reportSeq += 1;
    // `listed`: the kinds the control shows; the app keeps its setting for any other (a layer with no data).
    var report = { seq: Date.now() + "-" + reportSeq, shown: shown, listed: listed };
    map.atlas.explorer.lastLayerReport = report;
    send({ atlas_layers: report });
  }

  // ------------------------------------------------------------------ URL: centre and zoom
  function parentWindow() {
    try {
      var p = window.parent;
      if (p && p !== window && p.location.origin === window.location.origin) return p;
    } catch (e) { /* another origin: no URL to write */ }
    return null;
  }

  function viewParams(map) {
    var c = map.getCenter();
    return { c: c.lat.toFixed(4) + "," + c.lng.toFixed(4), z: String(map.getZoom()) };
  }

  function withView(url, view, base) {
    var u = new URL(url, base);
    u.searchParams.set("c", view.c);
    u.searchParams.set("z", view.z);
    return u.toString().replace(/([?&]c=-?[0-9.]+)%2C/, "$1,");  // c=lat,lon reads better than %2C
  }

  // The app rewrites the address after every run (filters, selection): keep the map's view in it.
  function keepViewInAddress(win) {
    if (win.__atlasHistoryPatched) return;
    win.__atlasHistoryPatched = true;
    ["pushState", "replaceState"].forEach(function (name) {
      var original = win.history[name];
      win.history[name] = function (data, title, url) {
        var view = win.__atlasView && win.__atlasView();
        if (view && url !== undefined && url !== null) {
          try { url = withView(url, view, win.location.href); } catch (e) { /* leave it */ }
        }
        return original.call(win.history, data, title, url);
      };
    });
  }

  function writeView(map) {
    var win = parentWindow();
    if (!win) return;
    win.__atlasView = function () { return map._loaded ? viewParams(map) : null; };
    keepViewInAddress(win);
    var next = withView(win.location.href, viewParams(map), win.location.href);
    if (next !== win.location.href) win.history.replaceState(win.history.state, "", next);
  }

  // ------------------------------------------------------------------ shown features and their bounds
  function eachShown(map, fn) {
    var state = map.atlas;
    Object.keys(state.kinds || {}).forEach(function (key) {
      var ks = state.kinds[key];
      if (!map.hasLayer(ks.group)) return;
      for (var i = 0; i < ks.items.length; i++) {
        if (!ks.shown[i]) continue;
        var layers = ks.items[i], last = layers[layers.length - 1];
        fn(last.atlasHome ? L.latLngBounds([last.atlasHome, last.atlasHome]) : last.getBounds ? last.getBounds() : null);
      }
    });
  }

  function anyInView(map) {
    var view = map.getBounds(), found = false;
    eachShown(map, function (b) { if (b && b.isValid() && view.intersects(b)) found = true; });
    return found;
  }

  function shownBounds(map) {
    var state = map.atlas, bounds = L.latLngBounds([]);
    Object.keys(state.kinds || {}).forEach(function (key) {
      var ks = state.kinds[key];
      if (!map.hasLayer(ks.group)) return;
      for (var i = 0; i < ks.items.length; i++) {
        if (!ks.shown[i]) continue;
        var layers = ks.items[i], last = layers[layers.length - 1];
        if (last.atlasHome) bounds.extend(last.atlasHome);
        else if (last.getBounds) bounds.extend(last.getBounds());
      }
    });
    return bounds;
  }

  function zoomToResults(map) {
    var bounds = shownBounds(map);
    if (!bounds.isValid()) return false;
    map.fitBounds(bounds.pad(0.05), { padding: [30, 30], maxZoom: 7 });
    return true;
  }

  function zoomControl(map) {
    var control = L.control({ position: "topleft" });
    control.onAdd = function () {
      var button = L.DomUtil.create("button", "atlas-zoom-results leaflet-bar");
      button.type = "button";
      button.textContent = "Zoom to results";
      button.title = "Fit the map to what the filters show";
      L.DomEvent.disableClickPropagation(button);
      L.DomEvent.on(button, "click", function () { zoomToResults(map); });
      return button;
    };
    return control.addTo(map);
  }

  // ------------------------------------------------------------------ hover: dot ↔ table row
  function eventDots(map) {
    var state = map.atlas, dots = {};
    Object.keys(state.kinds || {}).forEach(function (key) {
      if (key.slice(-7) !== "#events") return;
      state.kinds[key].items.forEach(function (layers) {
        var dot = layers[layers.length - 1];
        if (dot.atlasProps && dot.atlasProps.id) dots[dot.atlasProps.id] = dot;
      });
    });
    return dots;
  }

  function highlight(map, id) {
    var ex = explorerOf(map);
    if (ex.lit && ex.lit.atlasLitStyle) {
      ex.lit.setStyle(ex.lit.atlasLitStyle);
      ex.lit.setRadius(ex.lit.atlasLitRadius);
    }
    ex.lit = null;
    ex.litId = id || "";
    if (!id) return;
    ex.dots = ex.dots || eventDots(map);
    var dot = ex.dots[id];
    if (!dot || dot.atlasHidden || !dot._map) return;
    dot.atlasLitStyle = { color: dot.options.color, weight: dot.options.weight, stroke: dot.options.stroke };
    dot.atlasLitRadius = dot.options.radius;
    dot.setStyle({ color: "#111111", weight: 4, stroke: true });
    dot.setRadius(dot.options.radius + 4);
    dot.bringToFront();
    ex.lit = dot;
  }

  function listenToDots(map) {
    var ex = explorerOf(map), state = map.atlas;
    Object.keys(state.kinds || {}).forEach(function (key) {
      var ks = state.kinds[key];
      if (key.slice(-7) !== "#events" || ks.atlasHoverBound) return;
      ks.atlasHoverBound = true;
      ks.group.on("mouseover", function (e) {
        var p = e.sourceTarget && e.sourceTarget.atlasProps;
        if (!p || !p.id) return;
        ex.hoverFromMap = p.id;
        if (ex.channel) ex.channel.postMessage({ type: "hover", id: p.id, from: "map" });
      });
      ks.group.on("mouseout", function () {
        ex.hoverFromMap = "";
        if (ex.channel) ex.channel.postMessage({ type: "hover", id: "", from: "map" });
      });
    });
  }

  // ------------------------------------------------------------------ hooks called by atlas.js
  var AtlasExplorer = {
    attach: function (map, options) {
      var ex = map.atlas.explorer = { views: 0, channel: null, lit: null };
      // Ticks in the layer control: only the user's clicks are reported (the app's own changes also
      // add and remove layers, while the control is not handling a click).
      map.on("overlayadd overlayremove", function () {
        if (map.atlas.control && map.atlas.control._handlingClick) reportLayers(map);
      });
      map.on("moveend", function () { writeView(map); });
      ex.zoomButton = zoomControl(map);
      if (window.BroadcastChannel) {
        ex.channel = new BroadcastChannel(CHANNEL);
        ex.channel.onmessage = function (msg) {
          var data = msg.data || {};
          if (data.type === "hover" && data.from !== "map") highlight(map, data.id);
        };
      }
    },

    viewed: function (map) {
      var ex = explorerOf(map);
      if (!ex) return;
      ex.views += 1;
      ex.dots = null;
      listenToDots(map);
      if (ex.litId) highlight(map, ex.litId);
      // After a filter change (not the first view, which keeps the link's or the data's framing):
      // when nothing the filters show is in view, go to it.
      if (ex.views > 1) {
        var bounds = shownBounds(map);
        if (bounds.isValid() && !anyInView(map)) zoomToResults(map);
      }
    },

    zoomToResults: zoomToResults,
    shownBounds: shownBounds,
    highlight: highlight
  };

  window.AtlasExplorer = AtlasExplorer;
})();
