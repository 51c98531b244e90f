/* Briefing Atlas: the selected event you can see, and the events in view for keyboard and screen readers.
 *
 * - The selected event (the payload's `selected`, from the app's ?event=) gets a halo drawn on the
 *   canvas with it, is moved to the top of the canvas's drawing order, and if it sits in a fanned pile
 *   (atlas.js fans events at one place around a hub) that pile opens so its dots stop overlapping.
 * - "Events in view": a control listing the events the map shows in its current frame, as buttons.
 *   It stands in for the map for keyboard and screen-reader users: focusing a button marks its event
 *   as a selection does; Enter opens its details (the same click the app reads from the map).
 * Text from data is set with textContent only. Loaded after atlas.js, which calls `viewDone`.
 */
(function () {
  "use strict";

  var LIST_MAX = 150;     // buttons in the list; more: zoom in or filter
  var HALO_GAP = 4, HALO_WIDTH = 3;

  // Tests set window.__atlasTest before the page's scripts run; only then is a probe exposed.
  var TEST = !!window.__atlasTest;
  var haloDraws = 0;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null && text !== "") node.textContent = String(text);
    return node;
  }

  function eventDots(map) {
    var dots = [];
    map.eachLayer(function (layer) {
      if (layer.atlasKind === "events" && layer.atlasHome && !layer.atlasHidden && layer.atlasProps) dots.push(layer);
    });
    return dots;
  }

  function findDot(map, id) {
    if (!id) return null;
    var found = null;
    map.eachLayer(function (layer) {
      if (!found && layer.atlasKind === "events" && layer.atlasHome && !layer.atlasHidden &&
          layer.atlasProps && layer.atlasProps.id === id) found = layer;
    });
    return found;
  }

  function pileOf(map, dot) {
    var lists = [];
    var kinds = (map.atlas && map.atlas.kinds) || {};
    Object.keys(kinds).forEach(function (key) { lists.push(kinds[key].piles || []); });
    map.eachLayer(function (layer) { if (layer.atlasPiles) lists.push(layer.atlasPiles); });
    for (var i = 0; i < lists.length; i++) {
      for (var j = 0; j < lists[i].length; j++) if (lists[i][j].indexOf(dot) >= 0) return lists[i][j];
    }
    return null;
  }

  // ------------------------------------------------------------------ the halo (drawn with the dot)

  function drawHalo(dot) {
    var renderer = dot._renderer, ctx = renderer && renderer._ctx, p = dot._point;
    if (!ctx || !p || dot.atlasHidden || dot._empty()) return;
    var r = dot._radius + (dot.options.stroke ? dot.options.weight / 2 : 0) + HALO_GAP;
    ctx.save();
    ctx.beginPath();
    ctx.arc(p.x, p.y, r + HALO_WIDTH / 2, 0, Math.PI * 2);
    ctx.lineWidth = HALO_WIDTH + 3;
    ctx.strokeStyle = "#ffffff";
    ctx.stroke();
    ctx.lineWidth = HALO_WIDTH;
    ctx.strokeStyle = "#111827";
    ctx.stroke();
    ctx.restore();
    haloDraws++;
  }

  function markDot(dot) {
    var proto = Object.getPrototypeOf(dot);
    dot._updatePath = function () { proto._updatePath.call(this); if (this._atlasHalo) drawHalo(this); };
    dot._updateBounds = function () {
      proto._updateBounds.call(this);
      var pad = L.point(HALO_GAP + HALO_WIDTH + 3, HALO_GAP + HALO_WIDTH + 3);
      if (this._pxBounds) this._pxBounds = new L.Bounds(this._pxBounds.min.subtract(pad), this._pxBounds.max.add(pad));
    };
    dot._atlasHalo = true;
  }

  function unmarkDot(dot) {
    if (!dot._atlasHalo) return;
    delete dot._updatePath;
    delete dot._updateBounds;
    dot._atlasHalo = false;
  }

  /* Marks `id` on `map` (null: nothing): halo, on top, its pile open. One mark per map at a time:
     keyboard focus marks its event while it lasts, then the app's selection comes back. */
  function mark(map, id) {
    var st = map.atlasSelect = map.atlasSelect || {};
    var dot = findDot(map, id);
    var pile = dot ? pileOf(map, dot) : null;
    if (st.dot && st.dot !== dot) unmarkDot(st.dot);
    if (st.pile && st.pile !== pile) {
      st.pile.atlasOpen = false;
      if (map.hasLayer(st.pile[0])) window.Atlas.layoutPiles(map, [st.pile]);
    }
    st.dot = dot;
    st.pile = pile;
    st.id = id || "";
    if (pile) {
      pile.atlasOpen = true;
      window.Atlas.layoutPiles(map, [pile]);
    }
    if (dot) {
      markDot(dot);
      dot._project();
      dot.bringToFront();  // the canvas draws it last
    }
    window.Atlas.redraw(map);
  }

  // ------------------------------------------------------------------ events in view

  function label(dot) {
    var p = dot.atlasProps;
    return (p.date ? p.date + " · " : "") + (p.title || p.id) + (p.place ? " (" + p.place + ")" : "");
  }

  function openDetails(dot) {
    // The click the app reads from the map (st_folium reports the clicked dot's tooltip); in an
    // exported briefing it opens the dot's popup.
    dot.fire("click", { latlng: dot.getLatLng() }, true);
  }

  function listControl(map) {
    var control = L.control({ position: "topright" });
    control.onAdd = function () {
      var box = el("div", "atlas-events leaflet-control");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", "Events in view");
      var toggle = el("button", "atlas-events-toggle", "Events in view");
      toggle.type = "button";
      toggle.setAttribute("aria-expanded", "false");
      var panel = el("div", "atlas-events-panel");
      panel.hidden = true;
      var note = el("p", "atlas-events-note");
      var list = el("ul", "atlas-events-list");
      list.setAttribute("aria-label", "Events in view, by date");
      panel.appendChild(note);
      panel.appendChild(list);
      box.appendChild(toggle);
      box.appendChild(panel);
      toggle.addEventListener("click", function () {
        panel.hidden = !panel.hidden;
        toggle.setAttribute("aria-expanded", panel.hidden ? "false" : "true");
        if (!panel.hidden) fill(map);
      });
      box.addEventListener("keydown", function (e) {  // Escape folds the list and returns to its button
        if (e.key !== "Escape" || panel.hidden) return;
        panel.hidden = true;
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
        e.stopPropagation();
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      control.parts = { toggle: toggle, panel: panel, list: list, note: note };
      return box;
    };
    return control;
  }

  function inView(map) {
    var bounds = map.getBounds();
    return eventDots(map).filter(function (dot) { return bounds.contains(dot.atlasHome); })
      .sort(function (a, b) {
        var da = String(a.atlasProps.date || ""), db = String(b.atlasProps.date || "");
        return da < db ? -1 : da > db ? 1 : 0;
      });
  }

  function fill(map) {
    var st = map.atlasSelect, parts = st && st.list && st.list.parts;
    if (!parts) return;
    var dots = inView(map);
    parts.toggle.textContent = "Events in view (" + dots.length + ")";
    if (parts.panel.hidden) return;
    var hadFocus = parts.list.contains(document.activeElement) ? document.activeElement.getAttribute("data-id") : null;
    parts.list.textContent = "";
    parts.note.textContent = dots.length > LIST_MAX ? "The first " + LIST_MAX + " of " + dots.length +
      ": zoom in or filter to list the rest." : (dots.length ? "Enter opens an event's details." : "No event in view.");
    dots.slice(0, LIST_MAX).forEach(function (dot) {
      var item = el("li");
      var button = el("button", "atlas-events-item", label(dot));
      button.type = "button";
      button.setAttribute("data-id", dot.atlasProps.id);
      if (dot.atlasProps.id === st.selected) button.setAttribute("aria-current", "true");
      button.addEventListener("focus", function () { mark(map, dot.atlasProps.id); });
      button.addEventListener("blur", function () { mark(map, st.selected); });
      button.addEventListener("click", function () { openDetails(dot); });
      item.appendChild(button);
      parts.list.appendChild(item);
      if (hadFocus === dot.atlasProps.id) button.focus();
    });
  }

  function ensureList(map) {
    var st = map.atlasSelect = map.atlasSelect || {};
    if (st.list) return;
    st.list = listControl(map).addTo(map);
    var pending = null;
    map.on("moveend", function () {
      if (pending) clearTimeout(pending);
      pending = setTimeout(function () { pending = null; fill(map); }, 150);
    });
  }

  window.AtlasSelect = {
    /* Called by atlas.js when a view (or an inline payload) is on the map. */
    viewDone: function (map, payload) {
      var st = map.atlasSelect = map.atlasSelect || {};
      st.selected = (payload && typeof payload.selected === "string") ? payload.selected : (st.selected || "");
      ensureList(map);
      mark(map, st.selected);
      fill(map);
    },
    mark: mark
  };

  if (TEST) {
    /* What is drawn for the selection, for the browser tests: the marked event, whether the canvas
       draws it last, its halo drawing count, and its pile (size, radius, closest two dots in px). */
    window.__atlasSelectionProbe = function () {
      var map = (window.atlasMaps || [])[(window.atlasMaps || []).length - 1];
      var st = map && map.atlasSelect;
      if (!st) return null;
      var dot = st.dot, out = { id: st.id, selected: st.selected, found: !!dot, haloDraws: haloDraws };
      if (!dot) return out;
      var renderer = dot._renderer;
      out.onTop = !!(renderer && renderer._drawLast && renderer._drawLast.layer === dot);
      out.halo = !!dot._atlasHalo;
      var c = map.latLngToContainerPoint(dot.getLatLng());
      out.point = { x: c.x, y: c.y, r: dot._radius };
      if (st.pile) {
        var pts = st.pile.map(function (d) { return map.latLngToContainerPoint(d.getLatLng()); });
        var hub = map.latLngToContainerPoint(st.pile[0].atlasHome);
        var gap = Infinity;
        for (var i = 0; i < pts.length; i++) for (var j = i + 1; j < pts.length; j++) gap = Math.min(gap, pts[i].distanceTo(pts[j]));
        out.pile = { size: st.pile.length, open: !!st.pile.atlasOpen, radius: pts[0].distanceTo(hub), minGap: gap,
                     dotRadius: dot._radius };
      }
      return out;
    };
  }
})();
