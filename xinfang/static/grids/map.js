// The community grid map: polygons on a plain background (no outside tiles), or tiles
// from the deployment's own folder when one is configured (data-tiles).
(function () {
  "use strict";
  var el = document.getElementById("grid-map");
  if (!el || typeof L === "undefined") { return; }
  var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
  el.leafletMap = map;  // for the page's own scripts and the browser tests
  var SNAP_PX = 10;  // a drawn point this close to an existing vertex takes its position
  if (L.drawLocal) {
    L.drawLocal.draw.handlers.polygon.tooltip = {
      start: "单击地图放置第一个点", cont: "单击继续放置下一个点", end: "单击第一个点闭合多边形"
    };
    L.drawLocal.draw.handlers.polyline.error = "<strong>错误:</strong>边界不能自相交";
  }
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
    // A vertex shared by neighbours (and the community outline) moves with the one dragged,
    // so an edit does not open a gap or an overlap along the shared edges.
    var before = [];
    function remember() {
      before = shapes.map(function (l) {
        return flat(l.getLatLngs()).map(function (ll) { return [ll.lat, ll.lng]; });
      });
    }
    function same(a, b) { return Math.abs(a[0] - b[0]) < 1e-9 && Math.abs(a[1] - b[1]) < 1e-9; }
    function moved(i) {
      var now = flat(shapes[i].getLatLngs()).map(function (ll) { return [ll.lat, ll.lng]; });
      var gone = before[i].filter(function (o) { return !now.some(function (n) { return same(o, n); }); });
      var added = now.filter(function (n) { return !before[i].some(function (o) { return same(o, n); }); });
      return gone.length === 1 && added.length === 1 ? [gone[0], added[0]] : null;
    }
    map.on("draw:editvertex", function (e) {
      var i = shapes.indexOf(e.poly);
      var move = i < 0 ? null : moved(i);
      if (move) {
        shapes.forEach(function (other, j) {
          if (j === i) { return; }
          var hit = false;
          flat(other.getLatLngs()).forEach(function (ll) {
            if (same([ll.lat, ll.lng], move[0])) { ll.lat = move[1][0]; ll.lng = move[1][1]; hit = true; }
          });
          if (hit) {
            other.redraw();
            other.editing.disable();
            other.editing.enable();
          }
        });
      }
      remember();
    });
    start.addEventListener("click", function () {
      faults.forEach(function (l) { layer.removeLayer(l); });  // stale once edited
      shapes.forEach(function (l) { if (l.editing) { l.editing.enable(); } });
      remember();
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

  function flat(list) {
    return list.reduce(function (acc, x) { return acc.concat(Array.isArray(x) ? flat(x) : [x]); }, []);
  }
  function vertices(layers) {
    var out = [];
    layers.forEach(function (l) { flat(l.getLatLngs()).forEach(function (ll) { out.push(ll); }); });
    return out;
  }
  function snap(latlng, known) {
    var p = map.latLngToContainerPoint(latlng);
    var best = null;
    var dist = SNAP_PX;
    known.forEach(function (k) {
      var d = map.latLngToContainerPoint(k).distanceTo(p);
      if (d <= dist) { best = k; dist = d; }
    });
    return best ? L.latLng(best.lat, best.lng) : latlng;
  }
  // Drawing a new grid (Leaflet.draw): click the points, close on the first; points near an
  // existing vertex snap to it, so the new grid shares its neighbours' corners exactly.
  function drawing(layer) {
    var start = document.getElementById("map-draw");
    var form = document.getElementById("map-draw-form");
    var field = document.getElementById("draw_geometry");
    var cancel = document.getElementById("draw-cancel");
    if (!start || !form || !field || !L.Draw) { return; }
    var shapes = [];
    layer.eachLayer(function (l) {
      var role = l.feature.properties.role;
      if (role === "community" || role === "grid") { shapes.push(l); }
    });
    var style = { color: "#16a34a", weight: 2, fillOpacity: 0.2 };
    var handler = new L.Draw.Polygon(map, { shapeOptions: style, showArea: false });
    var drawn = null;
    function clear() {
      if (drawn) { map.removeLayer(drawn); drawn = null; }
      field.value = "";
      form.hidden = true;
    }
    start.addEventListener("click", function () { clear(); handler.enable(); });
    if (cancel) { cancel.addEventListener("click", function () { clear(); handler.disable(); }); }
    map.on(L.Draw.Event.CREATED, function (e) {
      var known = vertices(shapes);
      var ring = e.layer.getLatLngs()[0].map(function (ll) { return snap(ll, known); });
      drawn = L.polygon(ring, style).addTo(map);
      var path = drawn.getElement && drawn.getElement();
      if (path) { path.setAttribute("data-role", "drawn"); }
      field.value = JSON.stringify(drawn.toGeoJSON().geometry);
      form.hidden = false;
      var code = form.querySelector("input[name=code]");
      if (code) { code.focus(); }
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
    drawing(layer);
  });
})();
