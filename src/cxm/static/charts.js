// Draws every <div class="chart" data-chart="…" data-source="id"> with ECharts from the JSON in
// <script type="application/json" id="id">. No inline script or style (strict CSP): the data
// block is never executed, tooltips render on the canvas (renderMode "richText").
(function () {
  "use strict";

  var PALETTE = ["#15313f", "#0b6e4f", "#f0b429", "#a4262c", "#5b8def", "#8e6c8a", "#3fa7a3",
    "#d9822b", "#6b7a8f", "#b5b83a"];
  var SENTIMENT = { negative: "#a4262c", neutral: "#9aa5b1", positive: "#0b6e4f" };

  function base(data) {
    return {
      color: PALETTE,
      animationDuration: 300,
      tooltip: { trigger: "axis", renderMode: "richText", confine: true },
      legend: { type: "scroll", top: 0, show: (data.series || []).length > 1 },
      grid: { left: 12, right: 24, top: 40, bottom: 8, containLabel: true }
    };
  }

  function valueAxis(axis, below) {
    var out = { type: "value", name: axis.name, nameTextStyle: { align: "left" } };
    if (below) { // a horizontal axis: its name centred under the numbers
      out.nameLocation = "middle";
      out.nameGap = 28;
      out.nameTextStyle = {};
    }
    if (axis.min !== undefined) { out.min = axis.min; }
    if (axis.max !== undefined) { out.max = axis.max; }
    return out;
  }

  // bar labels on the y axis: long ones are cut with an ellipsis, not clipped at the edge
  function category(labels) {
    return {
      type: "category", data: labels, inverse: true,
      axisLabel: { width: 150, overflow: "truncate" }
    };
  }

  var BUILDERS = {
    // one line per series over the labels (months); series may use a second y axis
    lines: function (data) {
      var option = base(data);
      option.xAxis = { type: "category", data: data.labels, boundaryGap: false };
      option.yAxis = (data.axes || [{}]).map(valueAxis);
      option.series = data.series.map(function (s) {
        return {
          type: "line", name: s.name, data: s.values, yAxisIndex: s.axis || 0,
          connectNulls: false, showSymbol: true, symbolSize: 6
        };
      });
      return option;
    },
    // horizontal bars, one per label, the first label on top
    bar: function (data) {
      var option = base(data);
      option.grid.top = 24;
      option.xAxis = valueAxis((data.axes || [{}])[0], true);
      option.grid.bottom = 28;
      option.yAxis = category(data.labels);
      option.series = data.series.map(function (s) {
        return {
          type: "bar", name: s.name,
          data: s.values.map(function (v) {
            return { value: v, itemStyle: { color: v !== null && v < 0 ? "#a4262c" : "#0b6e4f" } };
          }),
          label: { show: true, position: "right" }
        };
      });
      return option;
    },
    // horizontal stacked bars: one bar per label, one stack part per series (sentiments)
    stacked: function (data) {
      var option = base(data);
      option.tooltip.axisPointer = { type: "shadow" };
      option.xAxis = valueAxis((data.axes || [{}])[0], true);
      option.grid.bottom = 28;
      option.yAxis = category(data.labels);
      option.series = data.series.map(function (s) {
        return {
          type: "bar", name: s.name, stack: "total", data: s.values,
          itemStyle: { color: SENTIMENT[s.key] }, emphasis: { focus: "series" }
        };
      });
      return option;
    }
  };

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-source") || "");
    if (!source) { return null; }
    var data = JSON.parse(source.textContent || "{}");
    var build = BUILDERS[data.type];
    if (!build) { return null; }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(build(data));
    el.setAttribute("data-drawn", "true");
    return chart;
  }

  function start() {
    if (!window.echarts) { return; } // the tables in <details> stay the fallback
    var charts = [];
    document.querySelectorAll("div.chart[data-chart]").forEach(function (el) {
      var chart = draw(el);
      if (chart) { charts.push(chart); }
    });
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) { window.clearTimeout(pending); }
      pending = window.setTimeout(function () {
        charts.forEach(function (c) { c.resize(); });
      }, 100);
    });
  }

  // Other scripts (insights.js) add chart types before the page is drawn: they load after this
  // one with `defer`, and run before DOMContentLoaded, when the charts are drawn.
  window.cxmCharts = {
    register: function (builders) {
      Object.keys(builders).forEach(function (type) { BUILDERS[type] = builders[type]; });
    }
  };

  if (document.readyState === "complete") {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
