/* Briefing Atlas: offline briefing runtime (needs Leaflet and atlas.js).
 *
 * geo/briefing.py sends the story as JSON: title, description and steps, each with its caption, a
 * date/place line, the map view and the atlas payload. The caption panel is built with DOM nodes and
 * textContent only. Navigation: ArrowRight/PageDown/Space and ArrowLeft/PageUp, Home/End, the on-screen
 * buttons, and #step=N in the address for a link to a step.
 */
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function stepFromHash(count) {
    var match = /step=(\d+)/.exec(window.location.hash || "");
    var n = match ? parseInt(match[1], 10) : 1;
    return Math.max(1, Math.min(count, n || 1)) - 1;
  }

  function buildPanel(story) {
    var panel = el("aside", "brief-panel");
    panel.setAttribute("aria-live", "polite");
    var head = el("div", "brief-head");
    head.appendChild(el("div", "brief-story", story.title));
    var counter = el("div", "brief-counter");
    head.appendChild(counter);
    panel.appendChild(head);
    var title = el("h1", "brief-title");
    var when = el("div", "brief-when");
    var caption = el("p", "brief-caption");
    panel.appendChild(title);
    panel.appendChild(when);
    panel.appendChild(caption);
    var nav = el("div", "brief-nav");
    var prev = el("button", "brief-prev", "\u25c0 Previous");
    var next = el("button", "brief-next", "Next \u25b6");
    prev.type = next.type = "button";
    nav.appendChild(prev);
    nav.appendChild(next);
    panel.appendChild(nav);
    var progress = el("div", "brief-progress");
    (story.steps || []).forEach(function () { progress.appendChild(el("span", "brief-dot")); });
    panel.appendChild(progress);
    panel.appendChild(el("div", "brief-keys", "Keys: \u2190 \u2192 to move, Home / End"));
    document.body.appendChild(panel);
    return { panel: panel, counter: counter, title: title, when: when, caption: caption,
             prev: prev, next: next, dots: progress.children };
  }

  // The story's other events, grey beneath the step's: sent once for the whole story (geo/web/briefing.py),
  // each step saying where they go and which of them are its own (left out).
  function withContext(payload, shared) {
    if (!shared || !payload.context) return payload;
    var omit = new Set(payload.context.omit), id = shared.fields.indexOf("id");
    var rows = shared.rows.filter(function (row) { return !omit.has(row[id]); });
    if (!rows.length) return payload;
    var layers = payload.layers.slice();
    layers.splice(payload.context.at, 0, Object.assign({}, shared, { rows: rows }));
    return Object.assign({}, payload, { layers: layers });
  }

  var AtlasBriefing = {
    start: function (map, story) {
      var steps = story.steps || [];
      document.body.classList.add("atlas-briefing");
      map.getContainer().classList.add("atlas-present");
      if (map.atlas && map.atlas.control) map.removeControl(map.atlas.control); // fewer controls on screen
      var ui = buildPanel(story);
      var group = L.featureGroup().addTo(map);
      var index = -1;
      var moving = false;
      map.invalidateSize();  // the panel took part of the window
      map.on("movestart", function () { moving = true; });
      map.on("moveend", function () { moving = false; });

      function show(i, animate) {
        i = Math.max(0, Math.min(steps.length - 1, i));
        if (i === index) return;
        var first = index < 0;
        index = i;
        var step = steps[i];
        map.closePopup();
        group.clearLayers();
        Atlas.addData(map, group, withContext(step.payload, story.context));
        if (map.atlas && map.atlas.control) map.removeControl(map.atlas.control);
        ui.counter.textContent = "Step " + (i + 1) + " of " + steps.length;
        ui.title.textContent = step.title || "";
        ui.when.textContent = step.when || "";
        ui.when.hidden = !step.when;
        ui.caption.textContent = step.caption || "";
        ui.prev.disabled = i === 0;
        ui.next.disabled = i === steps.length - 1;
        for (var d = 0; d < ui.dots.length; d++) ui.dots[d].classList.toggle("brief-dot-on", d === i);
        var view = step.view;
        var options = { padding: [view.padding, view.padding], maxZoom: view.maxZoom };
        if (first || animate === false) {
          map.fitBounds(view.bounds, options);
        } else {
          options.duration = 1.2;
          map.flyToBounds(view.bounds, options);
        }
        try { history.replaceState(null, "", "#step=" + (i + 1)); } catch (e) { /* some file:// setups refuse */ }
      }

      ui.prev.addEventListener("click", function () { show(index - 1); });
      ui.next.addEventListener("click", function () { show(index + 1); });
      document.addEventListener("keydown", function (event) {
        var moves = { ArrowRight: 1, PageDown: 1, " ": 1, ArrowLeft: -1, PageUp: -1 };
        if (event.key === "Home") show(0);
        else if (event.key === "End") show(steps.length - 1);
        else if (moves[event.key]) show(index + moves[event.key]);
        else return;
        event.preventDefault();
      });
      window.addEventListener("hashchange", function () { show(stepFromHash(steps.length)); });

      window.atlasBriefing = {
        map: map,
        show: function (n) { show(n - 1); },
        current: function () { return index + 1; },
        settled: function () { return index >= 0 && !moving; }
      };
      if (steps.length) show(stepFromHash(steps.length), false);
      else ui.title.textContent = "This story has no steps.";
      return map;
    }
  };

  window.AtlasBriefing = AtlasBriefing;
})();
