// The coverage map: each building a dot, shaded by the round's 覆盖率; a click shows its
// numbers and links to the households not yet visited.
(function () {
  "use strict";
  var element = document.getElementById("coverage-map");
  if (!element) return;
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var labels = config.labels;
  var status = document.getElementById("map-status");
  var map = window.LianxinGeo.makeMap(element, config);
  map.setView([36.13, 120.42], 12);

  function text(tag, value) {
    var node = document.createElement(tag);
    node.textContent = value;
    return node;
  }

  function popup(p) {
    var box = document.createElement("div");
    box.appendChild(text("strong", p.name));
    box.appendChild(text("div", labels.households + "：" + p.households));
    box.appendChild(text("div", labels.visited + "：" + p.visited));
    box.appendChild(text("div", labels.coverage + "：" + (p.coverage === null ? "—" : p.coverage + "%")));
    if (p.visited < p.households) {
      var link = text("a", labels.not_visited);
      link.href = p.url;
      box.appendChild(link);
    }
    return box;
  }

  fetch(element.dataset.points, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, {
            radius: 6,
            color: "#ffffff",
            weight: 1,
            fillColor: feature.properties.colour,
            fillOpacity: 0.9,
          }).bindPopup(function () { return popup(feature.properties); });
        },
      }).addTo(map);
      var n = data.features.length;
      status.textContent = n ? window.LianxinGeo.fill(labels.shown, { n: n }) : labels.none;
      if (n) map.fitBounds(layer.getBounds(), { padding: [20, 20] });
      element.dataset.loaded = String(n);
    })
    .catch(function () {
      status.textContent = labels.failed;
    });
})();
