/* Briefing Atlas: time on the map (loaded after atlas.js; Leaflet only).
 *
 * - Playback: a date window (a day, a Monday-to-Sunday week or a calendar month) moves along the
 *   timeline at 1×, 2× or 4× (1× = one window per second), skipping windows with no event. An event is
 *   in the window when its interval [start, end] (payload fields; a partial date covers its month or
 *   year, an end_date extends it) overlaps the window. Dots outside are flagged `atlasOut` (atlas.js
 *   neither draws nor hit-tests them) and the canvas is redrawn once per frame, inside the mounted map.
 *   Journeys whose waypoints carry dates get a marker that moves along their line.
 *   `t=YYYY-MM-DD` and `window=day|week|month` in the address reproduce a frame.
 * The marks drawn with each dot (disputed ring, since= badges, ghosts) are in atlas-marks.js.
 * Text reaches the DOM through textContent only.
 */
(function () {
  "use strict";

  var DAY_MS = 86400000;
  var UNITS = ["day", "week", "month"];
  var SPEEDS = [1, 2, 4];
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December"];
  var test = !!window.__atlasTest;

  function reducedMotion() {
    return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }

  // ---------------------------------------------------------------- days

  function dayNum(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    return m ? Math.floor(Date.UTC(+m[1], +m[2] - 1, +m[3]) / DAY_MS) : null;
  }

  function isoOf(n) { return new Date(n * DAY_MS).toISOString().slice(0, 10); }

  // The window of `unit` holding day n: [first, last] day numbers.
  function windowOf(n, unit) {
    var d = new Date(n * DAY_MS);
    if (unit === "week") {
      var monday = n - (d.getUTCDay() + 6) % 7;
      return [monday, monday + 6];
    }
    if (unit === "month") {
      var first = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / DAY_MS;
      var next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / DAY_MS;
      return [first, next - 1];
    }
    return [n, n];
  }

  function longDay(n) {
    var d = new Date(n * DAY_MS);
    return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
  }

  function windowLabel(w, unit) {
    var a = new Date(w[0] * DAY_MS), b = new Date(w[1] * DAY_MS);
    if (unit === "month") return MONTHS[a.getUTCMonth()] + " " + a.getUTCFullYear();
    if (unit === "week") {
      var head = a.getUTCMonth() === b.getUTCMonth() ? String(a.getUTCDate())
        : a.getUTCDate() + " " + MONTHS[a.getUTCMonth()] + (a.getUTCFullYear() !== b.getUTCFullYear() ? " " + a.getUTCFullYear() : "");
      return head + " \u2013 " + longDay(w[1]);
    }
    return longDay(w[0]);
  }

  // ---------------------------------------------------------------- what the map holds

  // Dated rows on the map now: {dot, layers}, the dot carrying its days (atlasD0, atlasD1). Events, and
  // article mentions dated by their articles' publication (undated ones are out while playing). Served
  // rows count when their filter shows them; inline groups (stories, briefings) when they are on the map.
  var DATED = { events: true, mentions: true };

  function eventItems(map) {
    var out = [], state = map.atlas || {};
    function take(layers) {
      var dot = layers[layers.length - 1], p = dot.atlasProps || {};
      if (dot.atlasD0 === undefined) {
        dot.atlasD0 = dayNum(p.start || p.date);
        dot.atlasD1 = dayNum(p.end || p.start || p.date);
      }
      out.push({ dot: dot, layers: layers });
    }
    Object.keys(state.kinds || {}).forEach(function (key) {
      var ks = state.kinds[key];
      if (!ks.points || !DATED[ks.spec.kind] || !map.hasLayer(ks.group)) return;
      for (var i = 0; i < ks.items.length; i++) if (ks.shown[i]) take(ks.items[i]);
    });
    map.eachLayer(function (layer) {
      if (layer.atlasItems && DATED[layer.atlasSpecKind]) layer.atlasItems.forEach(take);
    });
    return out;
  }

  function journeys(map) {
    var out = [];
    map.eachLayer(function (layer) {
      var p = layer.atlasProps;
      if (!p || layer.atlasKind !== "routes" || !p.waypoint_dates || !layer.getLayers) return;
      var line = layer.getLayers()[0];
      if (!line || !line.getLatLngs) return;
      var pts = line.getLatLngs();
      if (pts.length && pts[0].length !== undefined && pts[0].lat === undefined) pts = pts[0];
      out.push({ layer: layer, props: p, points: pts });
    });
    return out;
  }

  // ---------------------------------------------------------------- one map's playback

  function Playback(map) {
    this.map = map;
    this.unit = "day";
    this.speed = 1;
    this.t = null;          // first day of the current window; null: playback off, every event shown
    this.playing = false;
    this.timer = null;
    this.frameTimes = [];   // ms per frame (window test + canvas redraw), for geo bench render
    this.trains = {};
    this.testLog = [];
  }

  // The rows and journeys on the map change only with a view (a filter, a story step): collected then,
  // not per frame (at 20k events a walk over the map's layers is ~40k visits).
  Playback.prototype.items = function () {
    if (!this.cache) this.cache = eventItems(this.map);
    return this.cache;
  };

  Playback.prototype.journeys = function () {
    if (!this.journeyCache) this.journeyCache = journeys(this.map);
    return this.journeyCache;
  };

  Playback.prototype.invalidate = function () { this.cache = null; this.journeyCache = null; };

  Playback.prototype.span = function () {
    var lo = null, hi = null;
    this.items().forEach(function (it) {
      var a = it.dot.atlasD0, b = it.dot.atlasD1;
      if (a === null) return;
      if (lo === null || a < lo) lo = a;
      if (hi === null || b > hi) hi = b;
    });
    return lo === null ? null : [lo, hi];
  };

  Playback.prototype.window = function () { return this.t === null ? null : windowOf(this.t, this.unit); };

  // Shows the events of the current window (or all, playback off); one full canvas redraw.
  Playback.prototype.apply = function (quiet) {
    var started = performance.now();
    var w = this.window(), items = this.items(), changed = false;
    for (var i = 0; i < items.length; i++) {
      var dot = items[i].dot;
      var out = w !== null && (dot.atlasD0 === null || dot.atlasD0 > w[1] || dot.atlasD1 < w[0]);
      if (!!dot.atlasOut === out) continue;
      changed = true;
      var layers = items[i].layers;
      for (var j = 0; j < layers.length; j++) {
        layers[j].atlasOut = out;
        if (out && layers[j]._atlasInfoBound) { layers[j].closePopup(); layers[j].closeTooltip(); }
      }
    }
    this.moveTrains();
    if (changed && !quiet) window.Atlas.redraw(this.map);
    if (test && w !== null) {  // every frame, for tests: its window and the events drawn in it
      var drawn = [];
      for (var k = 0; k < items.length; k++) {
        var d = items[k].dot;
        if (d._map && !d.atlasHidden && !d.atlasOut && d.atlasKind === "events") drawn.push(d.atlasProps.id);
      }
      this.testLog.push({ window: [isoOf(w[0]), isoOf(w[1])], drawn: drawn });
    }
    if (w !== null) this.frameTimes.push(performance.now() - started);
    if (this.frameTimes.length > 2000) this.frameTimes.splice(0, 1000);
    this.showDate();
    return changed;
  };

  // The next window after the current one that holds an event (empty stretches are skipped); null at the end.
  Playback.prototype.nextStart = function () {
    var w = this.window(), best = null;
    this.items().forEach(function (it) {
      var a = it.dot.atlasD0, b = it.dot.atlasD1;
      if (a === null || b <= w[1]) return;
      var day = Math.max(a, w[1] + 1);
      if (best === null || day < best) best = day;
    });
    return best === null ? null : windowOf(best, this.unit)[0];
  };

  Playback.prototype.seek = function (iso, unit) {
    if (unit && UNITS.indexOf(unit) >= 0) this.unit = unit;
    var n = typeof iso === "number" ? iso : dayNum(iso);
    if (n === null) return;
    this.t = windowOf(n, this.unit)[0];
    this.apply();
    this.writeUrl();
    if (this.ui) this.ui.sync();
  };

  Playback.prototype.step = function () {
    var next = this.nextStart();
    if (next === null) { this.pause(); return false; }
    this.t = next;
    this.apply();
    this.writeUrl();
    if (this.ui) this.ui.sync();
    return true;
  };

  Playback.prototype.play = function () {
    var self = this;
    var span = this.span();
    if (!span) return;
    if (this.t === null || this.nextStart() === null) this.t = windowOf(span[0], this.unit)[0];
    this.playing = true;
    this.apply();
    this.writeUrl();
    if (this.ui) this.ui.sync();
    clearTimeout(this.timer);
    (function tick() {
      self.timer = setTimeout(function () {
        if (!self.playing) return;
        if (self.step()) tick();
      }, 1000 / self.speed);
    })();
  };

  Playback.prototype.pause = function () {
    this.playing = false;
    clearTimeout(this.timer);
    if (this.ui) this.ui.sync();
  };

  Playback.prototype.toggle = function () { if (this.playing) this.pause(); else this.play(); };

  Playback.prototype.stop = function () {
    this.pause();
    this.t = null;
    this.apply();
    this.writeUrl();
    if (this.ui) this.ui.sync();
  };

  // ---------------------------------------------------------------- journeys

  // Where a dated journey is at `time` (days, fractional): dated waypoints are reached at noon of
  // their day; between them the marker moves at even speed along the line. null before it starts.
  function journeyPoint(j, time) {
    var pts = j.points, dates = j.props.waypoint_dates || [], dist = [0];
    for (var i = 1; i < pts.length; i++) dist.push(dist[i - 1] + pts[i - 1].distanceTo(pts[i]));
    var anchors = [];
    for (var k = 0; k < dates.length && k < pts.length; k++) {
      var d = dayNum(dates[k]);
      if (d !== null) anchors.push([d + 0.5, dist[k]]);
    }
    if (!anchors.length || time < anchors[0][0] - 0.5) return null;
    var along = anchors[anchors.length - 1][1];
    if (time <= anchors[0][0]) {
      along = anchors[0][1];
    } else {
      for (var a = 0; a < anchors.length - 1; a++) {
        var A = anchors[a], B = anchors[a + 1];
        if (time <= B[0]) { along = A[1] + (B[1] - A[1]) * (time - A[0]) / (B[0] - A[0] || 1); break; }
      }
    }
    for (var s = 1; s < pts.length; s++) {
      if (along <= dist[s]) {
        var f = (along - dist[s - 1]) / ((dist[s] - dist[s - 1]) || 1);
        return L.latLng(pts[s - 1].lat + (pts[s].lat - pts[s - 1].lat) * f,
                        pts[s - 1].lng + (pts[s].lng - pts[s - 1].lng) * f);
      }
    }
    return pts[pts.length - 1];
  }

  Playback.prototype.moveTrains = function () {
    var self = this, w = this.window(), seen = {};
    this.journeys().forEach(function (j) {
      var id = j.props.id;
      seen[id] = true;
      var train = self.trains[id];
      var at = w === null ? null : journeyPoint(j, w[1] + 0.5);
      if (at === null) {
        if (train) { self.map.removeLayer(train.marker); delete self.trains[id]; }
        return;
      }
      if (!train) {
        var icon = document.createElement("div");
        icon.className = "atlas-train-icon";
        var label = document.createElement("span");
        label.className = "atlas-train-label";
        label.textContent = j.props.name || id;
        icon.appendChild(label);
        train = self.trains[id] = {
          marker: L.marker(at, { icon: L.divIcon({ className: "atlas-train", html: icon, iconSize: [16, 16] }),
                                 interactive: false, keyboard: false }).addTo(self.map)
        };
        train.marker.atlasJourney = id;
        return;
      }
      glide(train, at, self.playing && !reducedMotion() ? Math.min(700, 800 / self.speed) : 0);
    });
    Object.keys(this.trains).forEach(function (id) {
      if (!seen[id]) { self.map.removeLayer(self.trains[id].marker); delete self.trains[id]; }
    });
  };

  function glide(train, to, ms) {
    if (train.anim) cancelAnimationFrame(train.anim);
    var from = train.marker.getLatLng(), started = performance.now();
    if (!ms) { train.marker.setLatLng(to); return; }
    (function frame(now) {
      var f = Math.min(1, (now - started) / ms);
      train.marker.setLatLng([from.lat + (to.lat - from.lat) * f, from.lng + (to.lng - from.lng) * f]);
      if (f < 1) train.anim = requestAnimationFrame(frame);
    })(started);
  }

  // ---------------------------------------------------------------- address

  function params() {
    var text = "";
    try { text = (window.parent !== window ? window.parent.location.search : "") || ""; } catch (e) { text = ""; }
    var own = (window.location.search || "") + "&" + (window.location.hash || "").replace(/^#/, "");
    return new URLSearchParams(text + "&" + own.replace(/^\?/, ""));
  }

  Playback.prototype.writeUrl = function () {
    var win;
    try { win = window.parent !== window ? window.parent : null; if (win) void win.location.search; } catch (e) { win = null; }
    if (!win) return;  // a briefing file keeps its address (#step=N); t= and window= are read, not written
    try {
      var q = new URLSearchParams(win.location.search);
      if (this.t === null) { q.delete("t"); q.delete("window"); } else { q.set("t", isoOf(this.t)); q.set("window", this.unit); }
      var search = q.toString();
      win.history.replaceState(win.history.state, "", win.location.pathname + (search ? "?" + search : "") + win.location.hash);
    } catch (e) { /* an address that cannot be written: the frame still plays */ }
  };

  // ---------------------------------------------------------------- controls

  Playback.prototype.showDate = function () {
    if (!this.dateBox) return;
    var w = this.window();
    this.dateBox.hidden = w === null;
    this.dateBox.textContent = w === null ? "" : windowLabel(w, this.unit);
  };

  function button(text, title, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.title = title;
    b.setAttribute("aria-label", title);
    b.addEventListener("click", onClick);
    return b;
  }

  function select(options, value, label, onChange) {
    var s = document.createElement("select");
    s.setAttribute("aria-label", label);
    s.title = label;
    options.forEach(function (o) {
      var opt = document.createElement("option");
      opt.value = String(o[0]);
      opt.textContent = o[1];
      s.appendChild(opt);
    });
    s.value = String(value);
    s.addEventListener("change", function () { onChange(s.value); });
    return s;
  }

  Playback.prototype.mount = function () {
    var self = this, map = this.map;
    var date = this.dateBox = document.createElement("div");
    date.className = "atlas-play-date";
    date.setAttribute("aria-live", "polite");
    date.hidden = true;
    map.getContainer().appendChild(date);
    var control = L.control({ position: "topleft" });  // clear of the legend and the sea labels
    control.onAdd = function () {
      var box = document.createElement("div");
      box.className = "atlas-play leaflet-control";
      var play = button("\u25b6 Play", "Play the events along the timeline (Space in presenter mode)", function () { self.toggle(); });
      play.className = "atlas-play-toggle";
      var unit = select([["day", "Day"], ["week", "Week"], ["month", "Month"]], self.unit, "Window",
                        function (v) { self.unit = v; if (self.t !== null) self.seek(self.t); });
      var speed = select(SPEEDS.map(function (s) { return [s, s + "\u00d7"]; }), self.speed, "Speed",
                         function (v) { self.speed = +v; if (self.playing) self.play(); });
      var reset = button("\u00d7", "Stop playback and show every event", function () { self.stop(); });
      reset.className = "atlas-play-stop";
      [play, unit, speed, reset].forEach(function (n) { box.appendChild(n); });
      L.DomEvent.disableClickPropagation(box);
      self.ui = {
        sync: function () {
          play.textContent = self.playing ? "\u275a\u275a Pause" : "\u25b6 Play";
          play.setAttribute("aria-pressed", self.playing ? "true" : "false");
          unit.value = self.unit;
          speed.value = String(self.speed);
          reset.disabled = self.t === null;
        }
      };
      self.ui.sync();
      return box;
    };
    control.addTo(map);
    var toggle = function () { self.toggle(); };
    [document, window].forEach(function (target) { target.addEventListener("atlas-play-toggle", toggle); });
    try {
      if (window.parent !== window) {
        window.parent.document.addEventListener("atlas-play-toggle", toggle);
        window.parent.addEventListener("atlas-play-toggle", toggle);
      }
    } catch (e) { /* another origin: only this frame's events */ }
  };

  function playbackFor(map) {
    if (!map.atlasPlay) map.atlasPlay = new Playback(map);
    return map.atlasPlay;
  }

  // ---------------------------------------------------------------- public

  var AtlasTime = {
    /* Called by atlas.js after a view or inline payload is on the map (before its redraw when `quiet`). */
    onView: function (map, payload, quiet) {
      var pb = playbackFor(map);
      pb.invalidate();
      if (payload && payload.since !== undefined && window.AtlasMarks) {
        window.AtlasMarks.applySince(map, payload.since, pb.items());  // badges, ghosts (atlas-marks.js)
      }
      if (!pb.ui && pb.span()) {
        pb.mount();
        var q = params(), unit = q.get("window"), t = q.get("t");
        if (unit && UNITS.indexOf(unit) >= 0) pb.unit = unit;
        if (t && dayNum(t) !== null) pb.t = windowOf(dayNum(t), pb.unit)[0];
        if (pb.ui) pb.ui.sync();
      }
      pb.apply(quiet);
    },

    playback: playbackFor,
    windowOf: function (iso, unit) { var w = windowOf(dayNum(iso), unit); return [isoOf(w[0]), isoOf(w[1])]; }
  };

  window.AtlasTime = AtlasTime;

  if (test) {
    // Test hook (only with window.__atlasTest set before the scripts run): what the last map draws.
    window.__atlasPlay = {
      map: function () { var maps = window.atlasMaps || []; return maps[maps.length - 1]; },
      pb: function () { return playbackFor(this.map()); },
      state: function () {
        var pb = this.pb(), w = pb.window(), drawn = [], badges = {}, disputed = [], mentions = [];
        pb.items().forEach(function (it) {
          var d = it.dot;
          if (!d._map || d.atlasHidden || d.atlasOut) return;
          if (d.atlasKind === "mentions") { mentions.push(d.atlasProps.name); return; }
          drawn.push(d.atlasProps.id);
          if (d.atlasBadge) badges[d.atlasProps.id] = d.atlasBadge;
          if (d.atlasProps.disputed) disputed.push(d.atlasProps.id);
        });
        var ghosts = [];
        if (pb.map.atlas.ghosts) pb.map.atlas.ghosts.eachLayer(function (g) { ghosts.push(g.atlasGhost); });
        var trains = {};
        Object.keys(pb.trains).forEach(function (id) { var ll = pb.trains[id].marker.getLatLng(); trains[id] = [ll.lat, ll.lng]; });
        return { t: pb.t === null ? null : isoOf(pb.t), unit: pb.unit, playing: pb.playing,
                 window: w === null ? null : [isoOf(w[0]), isoOf(w[1])], label: pb.dateBox ? pb.dateBox.textContent : "",
                 drawn: drawn, mentions: mentions, badges: badges, disputed: disputed, ghosts: ghosts, trains: trains,
                 frames: pb.frameTimes.slice(), log: pb.testLog.slice() };
      }
    };
  }
})();
