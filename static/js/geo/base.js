// Shared by the platform's maps: a Leaflet map on the configured tiles that keeps
// working, on a plain background, when no tile can be loaded.
(function () {
  "use strict";

  var maps = [];  // every map on the page, for the console (and the browser tests)

  function notice(map, text) {
    var box = L.control({ position: "topright" });
    box.onAdd = function () {
      var div = L.DomUtil.create("div", "map-notice");
      div.setAttribute("role", "status");
      div.textContent = text;
      return div;
    };
    box.addTo(map);
  }

  // config: {tile_url, attribution, datum, tiles_failed | labels.tiles_failed}
  function makeMap(element, config, options) {
    var map = L.map(element, Object.assign({ preferCanvas: true }, options || {}));
    var failed = false;
    var tiles = L.tileLayer(config.tile_url, {
      attribution: config.attribution,
      maxZoom: 19,
    });
    tiles.on("tileerror", function () {
      if (failed) return;
      failed = true;
      element.classList.add("tiles-failed");
      notice(map, config.tiles_failed || (config.labels && config.labels.tiles_failed) || "");
    });
    tiles.addTo(map);
    maps.push(map);
    return map;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return key in values ? String(values[key]) : whole;
    });
  }

  // Leaflet itself, loaded once even when a page fragment brings this script back
  // (htmx swaps of the case page re-run the scripts they contain).
  function withLeaflet(src, callback) {
    if (window.L) return callback();
    var pending = document.querySelector("script[data-leaflet-loader]");
    if (!pending) {
      pending = document.createElement("script");
      pending.src = src;
      pending.setAttribute("data-leaflet-loader", "");
      document.head.appendChild(pending);
    }
    pending.addEventListener("load", callback);
  }

  window.LianxinGeo = window.LianxinGeo || { maps: maps };
  Object.assign(window.LianxinGeo, { makeMap: makeMap, fill: fill, withLeaflet: withLeaflet });
  maps = window.LianxinGeo.maps;
})();
