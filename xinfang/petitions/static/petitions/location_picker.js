// The location picker: a click on the map fills the latitude and longitude inputs of the
// same form. Plain background with the areas the platform knows (no outside tiles), or
// tiles from this site's own folder when the deployment configures one.
(function () {
  "use strict";
  function setup(el) {
    if (typeof L === "undefined" || el.dataset.ready) { return; }
    el.dataset.ready = "1";
    var form = el.closest("form");
    var lon = document.getElementById(el.dataset.lonInput);
    var lat = form ? form.querySelector(".location-lat") : null;
    if (!lon || !lat) { return; }
    var map = L.map(el, { attributionControl: false }).setView([30.27, 120.15], 13);
    if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map); }
    var marker = null;
    function place(latlng) {
      if (marker) { marker.setLatLng(latlng); } else { marker = L.circleMarker(latlng, { radius: 7, color: "#dc2626" }).addTo(map); }
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
    }
    if (lat.value && lon.value) { place(L.latLng(parseFloat(lat.value), parseFloat(lon.value))); }
    map.on("click", function (e) { place(e.latlng); });
    if (el.dataset.areas) {
      fetch(el.dataset.areas).then(function (r) { return r.json(); }).then(function (data) {
        if (!data.features || !data.features.length) { return; }
        var layer = L.geoJSON(data, {
          style: function (f) { return { color: f.properties.role === "community" ? "#334155" : "#2563eb", weight: 1.5, fillOpacity: 0.05 }; },
          onEachFeature: function (f, l) { l.bindTooltip(f.properties.name || ""); l.on("click", function (e) { place(e.latlng); }); }
        }).addTo(map);
        if (!marker) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); }
      });
    }
  }
  function all() { document.querySelectorAll(".location-picker").forEach(setup); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", all); } else { all(); }
  window.addEventListener("load", all);
})();
