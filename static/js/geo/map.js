// The case map: cases as points coloured by status (red when overdue), or grids shaded
// by their number of cases or their overdue share. The data comes from two JSON
// endpoints that take the case list's filters; every text from them goes in as text.
(function () {
  "use strict";
  var element = document.getElementById("case-map");
  if (!element || !window.L) return;
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var labels = config.labels;
  var legendData = config.legend;
  var statusLine = document.getElementById("map-status");
  var map = LianxinGeo.makeMap(element, config);
  map.setView([35.0, 105.0], 4);  // until the data says where the district is

  var state = { view: "points", measure: "count" };
  var pointLayer = null;
  var gridLayer = null;
  var gridData = null;
  var pointData = null;

  function node(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  // Smaller dots when zoomed out, so that a district's thousands of cases stay readable.
  function radius() {
    var zoom = map.getZoom();
    return zoom >= 16 ? 7 : zoom >= 14 ? 5 : zoom >= 12 ? 3.5 : 2.5;
  }

  function pointStyle(feature) {
    var p = feature.properties;
    var group = legendData.group_of[p.status];
    var colour = p.overdue ? legendData.overdue.colour : colourOf(group);
    return {
      radius: radius() + (p.overdue ? 1 : 0),
      color: p.overdue ? "#7f0000" : "#ffffff",
      weight: 1,
      fillColor: colour,
      fillOpacity: 0.9,
    };
  }

  function colourOf(group) {
    for (var i = 0; i < legendData.groups.length; i++) {
      if (legendData.groups[i].code === group) return legendData.groups[i].colour;
    }
    return "#8a9399";
  }

  function casePopup(layer) {
    var p = layer.feature.properties;
    var box = node("div", "map-popup");
    box.appendChild(node("strong", "", p.no));
    box.appendChild(node("p", "title", p.title));
    var status = node("p", "", labels.status + "：" + (legendData.statuses[p.status] || p.status));
    if (p.overdue) status.appendChild(node("span", "late", " " + labels.overdue));
    box.appendChild(status);
    var link = node("a", "", labels.open);
    link.href = element.dataset.caseUrl.replace("/0/", "/" + encodeURIComponent(p.id) + "/");
    box.appendChild(link);
    return box;
  }

  function gridStyle(feature) {
    if (state.view === "points") {
      return { color: "#5a6570", weight: 1, opacity: 0.8, fill: false };
    }
    var p = feature.properties;
    var shades = gridData.legend[state.measure].shades;
    var cls = state.measure === "count" ? p.count_class : p.share_class;
    return {
      color: "#5a6570", weight: 1, opacity: 0.9, fill: true, fillColor: shades[cls], fillOpacity: 0.75,
    };
  }

  function gridPopup(layer) {
    var p = layer.feature.properties;
    var box = node("div", "map-popup");
    box.appendChild(node("strong", "", p.name));
    if (p.community) box.appendChild(node("p", "muted", p.community));
    box.appendChild(node("p", "", labels.count + "：" + p.count));
    box.appendChild(node("p", "", labels.late + "：" + p.overdue));
    box.appendChild(node("p", "", labels.share + "：" + (p.share * 100).toFixed(1) + "%"));
    return box;
  }

  // The legend: status colours in the point view, the measure's shades in the grid view.
  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    this._div = L.DomUtil.create("div", "map-legend");
    L.DomEvent.disableClickPropagation(this._div);
    return this._div;
  };
  legend.update = function () {
    var div = this._div;
    div.replaceChildren();
    if (state.view === "points") {
      div.appendChild(node("h4", "", labels.legend_points));
      legendData.groups.forEach(function (g) { div.appendChild(swatch(g.colour, g.label, "dot")); });
      div.appendChild(swatch(legendData.overdue.colour, legendData.overdue.label, "dot late"));
      div.appendChild(swatch("transparent", labels.outline, "line"));
      if (hasStreets()) div.appendChild(swatch("transparent", labels.street, "line street"));
    } else if (gridData) {
      var spec = gridData.legend[state.measure];
      div.appendChild(node("h4", "", spec.title));
      spec.labels.forEach(function (text, i) {
        if (text) div.appendChild(swatch(spec.shades[i], text, "box"));
      });
      if (hasStreets()) div.appendChild(swatch("transparent", labels.street, "line street"));
    }
  };
  legend.addTo(map);

  function hasStreets() {
    return Boolean(gridData && gridData.streets.features.length);
  }

  function swatch(colour, text, kind) {
    var row = node("div", "row");
    var mark = node("i", "swatch " + kind);
    mark.style.background = colour;
    row.appendChild(mark);
    row.appendChild(node("span", "", text));
    return row;
  }

  function render() {
    map.closePopup();
    if (pointLayer) {
      if (state.view === "points") pointLayer.addTo(map); else pointLayer.remove();
    }
    if (gridLayer) {
      gridLayer.setStyle(gridStyle);
      if (state.view === "grids") {
        gridLayer.eachLayer(function (l) { l.bindPopup(gridPopup); });
      } else {
        gridLayer.eachLayer(function (l) { l.unbindPopup(); });
      }
      gridLayer.bringToBack();
    }
    legend.update();
    describe();
  }

  function describe() {
    var parts = [];
    if (state.view === "points" && pointData) {
      parts.push(pointData.shown ? LianxinGeo.fill(labels.shown, pointData) : labels.none);
      if (pointData.message) parts.push(pointData.message);
    }
    if (state.view === "grids" && gridData) {
      parts.push(LianxinGeo.fill(labels.grids, { grids: gridData.features.length, outside: gridData.outside }));
    }
    statusLine.textContent = parts.join(" ");
    statusLine.classList.toggle("warning", Boolean(state.view === "points" && pointData && pointData.truncated));
  }

  function fit() {
    var bounds = gridLayer && gridLayer.getLayers().length ? gridLayer.getBounds() : null;
    if (!bounds && pointLayer && pointLayer.getLayers().length) bounds = pointLayer.getBounds();
    if (bounds && bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
  }

  function load(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      });
  }

  Promise.all([load(element.dataset.grids), load(element.dataset.points)])
    .then(function (results) {
      gridData = results[0];
      pointData = results[1];
      gridLayer = L.geoJSON(gridData, { style: gridStyle }).addTo(map);
      L.geoJSON(gridData.streets, {
        style: { color: "#2d3748", weight: 2.5, opacity: 0.9, fill: false },
        interactive: false,
      }).addTo(map);
      // Overdue cases last, so that they are drawn on top.
      pointData.features.sort(function (a, b) { return a.properties.overdue - b.properties.overdue; });
      pointLayer = L.geoJSON(pointData, {
        pointToLayer: function (feature, latlng) { return L.circleMarker(latlng, pointStyle(feature)); },
      });
      pointLayer.bindPopup(casePopup);
      element.setAttribute("data-loaded", "");
      render();
      fit();
      map.on("zoomend", function () { pointLayer.setStyle(pointStyle); });
    })
    .catch(function () {
      statusLine.textContent = labels.failed;
      statusLine.classList.add("warning");
    });

  document.querySelectorAll("#map-view input").forEach(function (input) {
    input.addEventListener("change", function () {
      state.view = input.value;
      document.getElementById("map-measure").disabled = state.view !== "grids";
      render();
    });
  });
  document.querySelectorAll("#map-measure input").forEach(function (input) {
    input.addEventListener("change", function () {
      state.measure = input.value;
      render();
    });
  });
})();
