/* Briefing Atlas: marks drawn with an event's dot (loaded after atlas.js; Leaflet only).
 *
 * - a black dashed ring with a white halo: a disputed event (its claims conflict; payload field
 *   `disputed`, from the layer column computed at build by geo.dataset.claims.disputed);
 * - since= marks (payload.since, built by geo/web/changes.py): a green "+" badge on an event new since a
 *   version, an amber diamond on a changed one, grey dashed ghosts at the old points of removed events.
 * Drawn on the canvas by atlas.js' dot after its fill and symbol; tooltips get text through textContent.
 */
(function () {
  "use strict";

  // Tests set window.__atlasTest before the page's scripts run; only then is what was drawn recorded.
  var marksDrawn = window.__atlasTest ? (window.__atlasMarksDrawn = { disputed: {}, "new": {}, changed: {} }) : null;

  // ---------------------------------------------------------------- since= marks

  function applySince(map, since, items) {
    var added = {}, changed = {};
    (since && since.added || []).forEach(function (id) { added[id] = true; });
    Object.keys(since && since.changed || {}).forEach(function (id) { changed[id] = true; });
    items.forEach(function (it) {
      var id = (it.dot.atlasProps || {}).id, badge = added[id] ? "new" : changed[id] ? "changed" : null;
      if ((it.dot.atlasBadge || null) === badge) return;
      it.dot.atlasBadge = badge;
      if (it.dot._map) it.dot._project();  // its drawn bounds include the badge
    });
    var state = map.atlas;
    if (state.ghosts) { map.removeLayer(state.ghosts); state.ghosts = null; }
    var removed = since && since.removed || [];
    if (!removed.length) return;
    state.ghosts = L.layerGroup();
    removed.forEach(function (r) {
      if (r.lat === null || r.lat === undefined) return;
      var ghost = L.circleMarker([r.lat, r.lon], {
        radius: 8, color: "#6b7280", weight: 2, dashArray: "3 3", fillColor: "#ffffff", fillOpacity: 0.35,
        renderer: state.renderer
      });
      var tip = document.createElement("span");
      tip.textContent = "Removed since " + (since.label || "the chosen version") + ": " + (r.title || r.id) +
        (r.date ? " (" + r.date + ")" : "");
      ghost.bindTooltip(tip, { direction: "top" });
      ghost.atlasGhost = r.id;
      state.ghosts.addLayer(ghost);
    });
    state.ghosts.addTo(map);
  }

  var AtlasMarks = {
    applySince: applySince,

    /* Disputed ring and since= badge of a dot, drawn on the canvas after the dot itself. */
    drawMarks: function (dot) {
      var p = dot.atlasProps, ctx = dot._renderer && dot._renderer._ctx;
      if (!p || !ctx || !dot._point) return;
      var x = dot._point.x, y = dot._point.y, r = dot._radius;
      if (p.disputed) {
        ctx.save();
        ctx.beginPath();
        ctx.arc(x, y, r + 3.5, 0, 2 * Math.PI);
        ctx.lineWidth = 5; ctx.strokeStyle = "#ffffff"; ctx.stroke();
        ctx.lineWidth = 2.5; ctx.strokeStyle = "#111111"; ctx.setLineDash([4, 2.5]); ctx.stroke();
        ctx.restore();
        if (marksDrawn) marksDrawn.disputed[p.id] = true;
      }
      if (dot.atlasBadge) {
        var bx = x + r * 0.85, by = y - r * 0.85, br = Math.max(4.5, r * 0.55);
        ctx.save();
        ctx.beginPath();
        if (dot.atlasBadge === "new") ctx.arc(bx, by, br, 0, 2 * Math.PI);
        else { ctx.moveTo(bx, by - br - 1); ctx.lineTo(bx + br + 1, by); ctx.lineTo(bx, by + br + 1); ctx.lineTo(bx - br - 1, by); ctx.closePath(); }
        ctx.fillStyle = dot.atlasBadge === "new" ? "#009e73" : "#e69f00";
        ctx.fill();
        ctx.lineWidth = 1.5; ctx.strokeStyle = "#ffffff"; ctx.stroke();
        if (dot.atlasBadge === "new") {
          ctx.beginPath();
          ctx.moveTo(bx - br * 0.55, by); ctx.lineTo(bx + br * 0.55, by);
          ctx.moveTo(bx, by - br * 0.55); ctx.lineTo(bx, by + br * 0.55);
          ctx.lineWidth = 1.8; ctx.stroke();
        }
        ctx.restore();
        if (marksDrawn) marksDrawn[dot.atlasBadge][p.id] = true;
      }
    },

    markPadding: function (dot) {
      var p = dot.atlasProps;
      return (p && p.disputed) || dot.atlasBadge ? 10 : 0;
    }
  };

  window.AtlasMarks = AtlasMarks;
})();
