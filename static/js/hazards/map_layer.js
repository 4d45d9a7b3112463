// The hazards as a layer on the case map (/map/): a checkbox in the map's corner draws
// them as points coloured by their rectification state (red when the notice is overdue),
// with a legend. It only adds to the map the case map's own script made (LianxinGeo.maps).
(function () {
  "use strict";
  var spec = document.getElementById("hazard-layer");
  if (!spec || !window.L || !window.LianxinGeo || !window.LianxinGeo.maps.length) return;
  var map = window.LianxinGeo.maps[0];
  var layer = null;

  function node(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  var control = L.control({ position: "topright" });
  control.onAdd = function () {
    // Styled here, not by the map's legend class: the case map's own legend keeps that name.
    var box = L.DomUtil.create("div", "hazard-layer");
    box.style.cssText = "background:rgba(255,255,255,.95);padding:.4rem .6rem;border-radius:4px;" +
      "box-shadow:0 1px 4px rgba(0,0,0,.25);font-size:.85rem;line-height:1.5";
    L.DomEvent.disableClickPropagation(box);
    var label = node("label", "");
    var check = node("input");
    check.type = "checkbox";
    check.id = "show-hazards";
    label.appendChild(check);
    label.appendChild(document.createTextNode(" " + spec.dataset.label));
    box.appendChild(label);
    var legend = node("div", "hazard-legend");
    box.appendChild(legend);
    check.addEventListener("change", function () {
      if (!check.checked) {
        if (layer) layer.remove();
        legend.replaceChildren();
        return;
      }
      load(legend);
    });
    return box;
  };
  control.addTo(map);

  function popup(p) {
    var box = node("div", "map-popup");
    box.appendChild(node("strong", "", p.place));
    box.appendChild(node("p", "title", p.text));
    var state = node("p", "", p.label);
    if (p.overdue) state.appendChild(node("span", "late", " " + spec.dataset.overdue));
    box.appendChild(state);
    if (p.relapses) box.appendChild(node("p", "", spec.dataset.relapses + "：" + p.relapses));
    var link = node("a", "", spec.dataset.open);
    link.href = spec.dataset.hazardUrl.replace("/0/", "/" + encodeURIComponent(p.id) + "/");
    box.appendChild(link);
    return box;
  }

  function load(legend) {
    fetch(spec.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        if (layer) layer.remove();
        layer = L.geoJSON(data, {
          pointToLayer: function (feature, latlng) {
            var p = feature.properties;
            return L.circleMarker(latlng, {
              radius: p.overdue ? 7 : 6, color: "#222", weight: 1.5, fillColor: p.colour, fillOpacity: 0.95,
            }).bindPopup(function () { return popup(p); });
          },
        }).addTo(map);
        if (data.features.length) map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 16 });
        legend.replaceChildren();
        data.legend.forEach(function (row) {
          var line = node("div", "row");
          var mark = node("i", "");
          mark.style.cssText = "display:inline-block;width:12px;height:12px;border-radius:50%;" +
            "margin-right:.4rem;border:1px solid #222;vertical-align:-1px";
          mark.style.background = row.colour;
          line.appendChild(mark);
          line.appendChild(node("span", "", row.label));
          legend.appendChild(line);
        });
        document.getElementById("hazard-layer").dataset.loaded = String(data.features.length);
      })
      .catch(function () { legend.replaceChildren(node("p", "late", spec.dataset.failed)); });
  }
})();
