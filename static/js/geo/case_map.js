// The case page's small map: the case's point and its grid's outline. The case page
// swaps its body in place (htmx), which runs this script again: it draws each map once.
(function () {
  "use strict";
  var script = document.currentScript;

  function draw(element) {
    element.setAttribute("data-ready", "");
    var data = JSON.parse(document.getElementById(element.dataset.source).textContent);
    var map = LianxinGeo.makeMap(element, data, { scrollWheelZoom: false });
    // The view first: Leaflet's canvas cannot draw a layer on a map with no view yet.
    var outline = data.outline && L.geoJSON(data.outline, {
      style: { color: "#1f6fb2", weight: 2, fillColor: "#1f6fb2", fillOpacity: 0.08 },
      interactive: false,
    });
    if (data.point) map.setView(data.point, 16);
    else map.fitBounds(outline.getBounds(), { padding: [10, 10] });
    if (outline) outline.addTo(map);
    if (data.point) {
      var point = L.circleMarker(data.point, {
        radius: 8, color: "#ffffff", weight: 2, fillColor: "#d62728", fillOpacity: 1,
      }).addTo(map);
      // A node, not a string: Leaflet would put a string in as HTML.
      point.bindTooltip(textNode(data.title));
    }
  }

  function textNode(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function drawAll() {
    document.querySelectorAll("[data-case-map]:not([data-ready])").forEach(draw);
  }

  LianxinGeo.withLeaflet(script.dataset.leaflet, drawAll);
})();
