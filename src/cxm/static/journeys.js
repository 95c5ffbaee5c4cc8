// Draws the journey page's Sankey of paths and emotion curve (with its 95 % band) from the JSON
// in <script type="application/json" id="…"> blocks, into <div data-journey-chart="…">.
// No inline script or style (strict CSP); the tables under each chart stay the fallback.
(function () {
  "use strict";

  var PALETTE = ["#15313f", "#0b6e4f", "#f0b429", "#a4262c", "#5b8def", "#8e6c8a", "#3fa7a3"];
  var OUTCOME = { goal: "#0b6e4f", open: "#9aa5b1", lost: "#a4262c" };

  function sankey(data) {
    var labels = {};
    data.nodes.forEach(function (n) { labels[n.id] = n.label; });
    return {
      tooltip: { trigger: "item", renderMode: "richText", confine: true },
      series: [{
        type: "sankey",
        left: 8, right: 120, top: 8, bottom: 8,
        nodeAlign: "left",
        emphasis: { focus: "adjacency" },
        data: data.nodes.map(function (n) {
          var key = n.id.split(":").slice(1).join(":");
          var node = { name: n.id, depth: n.position - 1 };
          if (OUTCOME[key]) { node.itemStyle = { color: OUTCOME[key] }; }
          return node;
        }),
        links: data.links,
        lineStyle: { color: "gradient", opacity: 0.35 },
        label: { formatter: function (p) { return labels[p.name] || p.name; } },
        tooltip: {
          formatter: function (p) {
            if (p.dataType === "edge") {
              return (labels[p.data.source] || "") + " → " + (labels[p.data.target] || "") +
                ": " + p.data.value;
            }
            return (labels[p.name] || p.name) + ": " + p.value;
          }
        }
      }]
    };
  }

  // a line per series with its interval as a band: an invisible lower line and the stacked
  // difference (high − low) as an area, on the series' own y axis
  function emotion(data) {
    var series = [];
    data.series.forEach(function (s, i) {
      var color = PALETTE[i % PALETTE.length];
      var stack = "ci-" + i;
      series.push({
        type: "line", name: s.name + " (low)", data: s.low, yAxisIndex: s.axis, stack: stack,
        lineStyle: { opacity: 0 }, symbol: "none", silent: true, tooltip: { show: false }
      });
      series.push({
        type: "line", name: s.name + " (CI)", yAxisIndex: s.axis, stack: stack,
        data: s.high.map(function (h, j) {
          return h === null || s.low[j] === null ? null : h - s.low[j];
        }),
        lineStyle: { opacity: 0 }, symbol: "none", silent: true, tooltip: { show: false },
        areaStyle: { color: color, opacity: 0.15 }
      });
      series.push({
        type: "line", name: s.name, data: s.values, yAxisIndex: s.axis,
        itemStyle: { color: color }, lineStyle: { color: color, width: 2 },
        showSymbol: true, symbolSize: 7, connectNulls: false
      });
    });
    return {
      animationDuration: 300,
      tooltip: { trigger: "axis", renderMode: "richText", confine: true },
      legend: {
        top: 0,
        data: data.series.map(function (s) { return s.name; })
      },
      grid: { left: 12, right: 48, top: 48, bottom: 8, containLabel: true },
      xAxis: {
        type: "category", data: data.labels, boundaryGap: true,
        axisLabel: { interval: 0, width: 110, overflow: "truncate" }
      },
      yAxis: data.axes.map(function (a) {
        return { type: "value", name: a.name, min: a.min, max: a.max, nameTextStyle: { align: "left" } };
      }),
      series: series
    };
  }

  var BUILDERS = { sankey: sankey, emotion: emotion };

  function start() {
    if (!window.echarts) { return; }
    var charts = [];
    document.querySelectorAll("div[data-journey-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-source") || "");
      if (!source) { return; }
      var data = JSON.parse(source.textContent || "{}");
      var build = BUILDERS[data.type];
      if (!build) { return; }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(build(data));
      el.setAttribute("data-drawn", "true");
      charts.push(chart);
    });
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) { window.clearTimeout(pending); }
      pending = window.setTimeout(function () {
        charts.forEach(function (c) { c.resize(); });
      }, 100);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
