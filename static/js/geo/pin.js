// The residents' map pin: a tap on the map fills the form's hidden latitude, longitude
// and datum (the tiles' own; the server converts GCJ-02 to WGS-84). Without script the
// map stays hidden and the form works as before.
(function () {
  "use strict";
  var wrap = document.getElementById("pin");
  if (!wrap || !window.L || !window.LianxinGeo) return;
  var data = JSON.parse(document.getElementById("pin-data").textContent);
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  var datum = document.getElementById("id_datum");
  var status = document.getElementById("pin-status");
  var clear = document.getElementById("pin-clear");
  wrap.hidden = false;

  var map = LianxinGeo.makeMap(document.getElementById("pin-map"), data);
  var marker = null;
  if (data.centre) map.setView(data.centre, 13); else map.setView([35.0, 105.0], 4);

  function place(latlng) {
    if (marker) marker.setLatLng(latlng); else marker = L.marker(latlng, { keyboard: false }).addTo(map);
    clear.hidden = false;
  }

  function unplace() {
    if (marker) marker.remove();
    marker = null;
    clear.hidden = true;
  }

  map.on("click", function (event) {
    var point = event.latlng.wrap();
    lat.value = point.lat.toFixed(6);
    lon.value = point.lng.toFixed(6);
    datum.value = data.datum;
    place(point);
    status.textContent = data.pinned;
  });

  clear.addEventListener("click", function () {
    lat.value = lon.value = datum.value = "";
    unplace();
    status.textContent = data.cleared;
  });

  // "Attach my position" (portal/locate.js) fills the same inputs in WGS-84.
  lat.addEventListener("change", function () {
    if (!lat.value) return unplace();
    if ((datum.value || "wgs84") === data.datum) {
      place([+lat.value, +lon.value]);
      map.setView([+lat.value, +lon.value], Math.max(map.getZoom(), 15));
    } else {
      unplace();  // a GPS point cannot be drawn on shifted tiles without converting it
      clear.hidden = false;
    }
    status.textContent = data.located;
  });

  // A form sent back with errors keeps its pin.
  if (lat.value && lon.value && (datum.value || "wgs84") === data.datum) {
    place([+lat.value, +lon.value]);
    map.setView([+lat.value, +lon.value], 15);
  }
})();
