// The dashboard's charts. Every name, number and address comes from the page's
// json_script block (#figures-data); this file holds no text of its own. A click on a
// bar, a point or a slice opens the list of the cases behind it.
(function () {
  "use strict";
  // Typing a date means a range of one's own: switch the period to it.
  var period = document.querySelector("select[name=period]");
  document.querySelectorAll("input[name=start], input[name=end]").forEach(function (input) {
    input.addEventListener("change", function () {
      if (period) period.value = "range";
    });
  });

  var source = document.getElementById("figures-data");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var palette = ["#c62828", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037", "#546e7a"];
  var font = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var charts = [];

  function draw(id, option, links) {
    var el = document.getElementById(id);
    if (!el) return;
    var chart = echarts.init(el, null, { renderer: "svg" });
    option.color = option.color || palette;
    option.textStyle = { fontFamily: font };
    option.animation = false;
    // Tooltips drawn inside the chart, not as HTML: ECharts writes its HTML tooltips with
    // style attributes, which the content security policy refuses (lianxin/csp.py).
    if (option.tooltip) option.tooltip.renderMode = "richText";
    // Leaders paste charts into reports: every chart can be saved as an image.
    option.toolbox = { right: 8, top: 0, feature: { saveAsImage: {
      title: data.save_label, name: option.title ? option.title.text : id, pixelRatio: 2,
      backgroundColor: "#fff"
    } } };
    chart.setOption(option);
    chart.on("click", function (params) {
      var url = params.data && params.data.url ? params.data.url : links && links[params.dataIndex];
      if (url) window.location.href = url;
    });
    charts.push(chart);
  }

  // A value axis that starts just below the smallest value, so that differences show
  // (scores of 96 to 100 on a 0-100 axis all look the same); rates never go past 100.
  function near(top) {
    return {
      min: function (v) { return v.min > 10 ? Math.max(0, Math.floor(v.min - Math.max(2, (v.max - v.min) / 4))) : 0; },
      max: top ? function (v) { return Math.min(top, Math.ceil(v.max + Math.max(1, (v.max - v.min) / 10))); } : null
    };
  }

  var t = data.trend;
  var series = t.counts.map(function (s) {
    return { name: s.name, type: "bar", data: s.data, barMaxWidth: 28 };
  }).concat(t.rates.map(function (s) {
    return { name: s.name, type: "line", yAxisIndex: 1, data: s.data, smooth: true, connectNulls: true };
  }));
  draw("chart-trend", {
    title: { text: t.title, textStyle: { fontSize: 15 } },
    tooltip: { trigger: "axis" },
    legend: { bottom: 0, type: "scroll" },
    grid: { top: 60, left: 50, right: 50, bottom: 60 },
    xAxis: { type: "category", data: t.buckets },
    yAxis: [
      { type: "value", name: t.count_axis, minInterval: 1 },
      Object.assign({ type: "value", name: t.rate_axis, scale: true }, near(100))
    ],
    series: series
  }, t.links);

  var s = data.status;
  draw("chart-status", {
    title: { text: s.title, textStyle: { fontSize: 15 } },
    tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
    series: [{
      type: "pie", radius: ["40%", "68%"], center: ["50%", "52%"],
      label: { formatter: "{b}\n{c}" },
      data: s.items
    }]
  });

  function bars(id, block, horizontal, scaled) {
    var axis = { type: "category", data: block.labels, axisLabel: { interval: 0, width: 110, overflow: "truncate" } };
    var value = scaled ? Object.assign({ type: "value", scale: true }, near(100)) : { type: "value", minInterval: 1 };
    draw(id, {
      title: { text: block.title, textStyle: { fontSize: 15 } },
      tooltip: { trigger: "axis" },
      grid: horizontal ? { top: 40, left: 130, right: 30, bottom: 20 } : { top: 40, left: 40, right: 20, bottom: 80 },
      xAxis: horizontal ? value : Object.assign(axis, { axisLabel: { interval: 0, rotate: 30 } }),
      yAxis: horizontal ? Object.assign(axis, { inverse: true }) : value,
      series: [{ type: "bar", data: block.values, barMaxWidth: 22, label: { show: true, position: horizontal ? "right" : "top" } }]
    }, block.links);
  }
  bars("chart-breakdown", data.breakdown, false);
  bars("chart-ranking", data.ranking, false, true);

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
