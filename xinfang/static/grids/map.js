// The community grid map: polygons on a plain background (no outside tiles), or tiles
// from the deployment's own folder when one is configured (data-tiles).
(function () {
  "use strict";
  var el = document.getElementById("grid-map");
  if (!el || typeof L === "undefined") { return; }
  var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
  if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map); }
  var colours = { community: "#334155", grid: "#2563eb", overlap: "#f97316", gap: "#dc2626", outside: "#7c3aed" };
  function style(f) {
    var role = f.properties.role;
    var fault = role === "overlap" || role === "gap" || role === "outside";
    return { color: colours[role] || "#2563eb", weight: role === "community" ? 3 : 1.5,
             fillOpacity: fault ? 0.6 : (role === "grid" ? 0.12 : 0), dashArray: role === "community" ? "6 4" : null };
  }
  function popup(f) {
    var p = f.properties;
    if (p.role === "grid") {
      return "<b>" + p.code + " " + (p.name || "") + "</b><br>格长：" + ((p.heads || []).join("、") || "—") +
        "<br>网格员：" + ((p.workers || []).join("、") || "—") + "<br>户数：" + (p.households || 0) +
        "<br>未结事项：" + (p.open_items || 0);
    }
    return p.label || p.name || "";
  }
  // Editing: drag the vertices of the community and its grids (Leaflet.draw), then save;
  // the server checks the edited tiling exactly as an imported file.
  function editing(layer) {
    var start = document.getElementById("map-edit");
    var save = document.getElementById("map-save");
    var field = document.getElementById("map-edit-geojson");
    if (!start || !save || !field) { return; }
    var shapes = [];
    var faults = [];
    layer.eachLayer(function (l) {
      var role = l.feature.properties.role;
      (role === "community" || role === "grid" ? shapes : faults).push(l);
    });
    start.addEventListener("click", function () {
      faults.forEach(function (l) { layer.removeLayer(l); });  // stale once edited
      shapes.forEach(function (l) { if (l.editing) { l.editing.enable(); } });
      start.hidden = true;
      save.hidden = false;
    });
    save.form.addEventListener("submit", function () {
      var features = shapes.map(function (l) {
        var f = l.toGeoJSON();
        var p = l.feature.properties;
        f.properties = { role: p.role, name: p.name || "" };
        if (p.role === "grid") { f.properties.code = p.code; }
        return f;
      });
      field.value = JSON.stringify({ type: "FeatureCollection", coordinate_system: "WGS-84", features: features });
    });
  }

  fetch(el.dataset.geojson, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
    if (!data.features.length) { el.textContent = "尚未导入边界"; return; }
    var layer = L.geoJSON(data, {
      style: style,
      onEachFeature: function (f, l) {
        l.bindPopup(popup(f));
        if (f.properties.role !== "community") { l.bindTooltip(f.properties.code || (f.properties.codes || []).join(",")); }
        if (l.getElement) { l.on("add", function () { var e = l.getElement(); if (e) { e.setAttribute("data-role", f.properties.role); } }); }
      }
    }).addTo(map);
    map.fitBounds(layer.getBounds(), { padding: [10, 10] });
    el.setAttribute("data-loaded", String(data.features.length));
    editing(layer);
  });
})();
