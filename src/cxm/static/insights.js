// Chart types for the insights page and the dashboard's drivers section, registered with
// charts.js (which draws every <div class="chart" data-chart="…" data-source="id"> from its JSON
// block): "whiskers" (bars with interval whiskers) and "scatter" (importance × performance).
// Load it after charts.js, both with `defer`.
// No inline script or style (strict CSP); tooltips render on the canvas (renderMode "richText").
(function () {
  "use strict";

  var QUADRANT = {
    fix_first: "#a4262c", keep_up: "#0b6e4f", low_priority: "#f0b429", possible_overkill: "#9aa5b1"
  };

  function base() {
    return {
      animationDuration: 300,
      tooltip: { trigger: "item", renderMode: "richText", confine: true },
      grid: { left: 12, right: 24, top: 24, bottom: 32, containLabel: true }
    };
  }

  function whiskers(data) {
    var option = base();
    option.tooltip.trigger = "axis";
    option.tooltip.axisPointer = { type: "shadow" };
    option.tooltip.formatter = function (items) {
      var i = items[0].dataIndex;
      return data.labels[i] + ": " + data.values[i] + " (" + data.low[i] + "–" + data.high[i] + ")";
    };
    option.xAxis = { type: "value", name: data.axis, nameLocation: "middle", nameGap: 26, min: 0 };
    option.yAxis = {
      type: "category", data: data.labels, inverse: true,
      axisLabel: { width: 150, overflow: "truncate" }
    };
    option.series = [
      { type: "bar", data: data.values, itemStyle: { color: "#15313f" }, barMaxWidth: 22 },
      {
        type: "custom",
        data: data.labels.map(function (_, i) { return [i, data.low[i], data.high[i]]; }),
        renderItem: function (params, api) {
          var row = api.value(0);
          var low = api.coord([api.value(1), row]);
          var high = api.coord([api.value(2), row]);
          var cap = api.size([0, 1])[1] * 0.25;
          var style = { stroke: "#f0b429", lineWidth: 2 };
          return {
            type: "group",
            children: [
              { type: "line", shape: { x1: low[0], y1: low[1], x2: high[0], y2: high[1] }, style: style },
              { type: "line", shape: { x1: low[0], y1: low[1] - cap, x2: low[0], y2: low[1] + cap }, style: style },
              { type: "line", shape: { x1: high[0], y1: high[1] - cap, x2: high[0], y2: high[1] + cap }, style: style }
            ]
          };
        },
        encode: { x: [1, 2], y: 0 },
        z: 10,
        tooltip: { show: false }
      }
    ];
    return option;
  }

  function scatter(data) {
    var option = base();
    option.tooltip.formatter = function (item) {
      return item.data.name + ": " + item.data.value[1] + " % / " + item.data.value[0];
    };
    option.xAxis = { type: "value", name: data.xAxis, nameLocation: "middle", nameGap: 26, scale: true };
    option.yAxis = { type: "value", name: data.yAxis, min: 0, nameTextStyle: { align: "left" } };
    option.series = [{
      type: "scatter",
      symbolSize: 14,
      data: data.points.map(function (p) {
        return { name: p.name, value: [p.x, p.y], itemStyle: { color: QUADRANT[p.quadrant] || "#5b8def" } };
      }),
      label: { show: true, position: "right", formatter: "{b}", fontSize: 11 },
      markLine: {
        silent: true, symbol: "none", lineStyle: { type: "dashed", color: "#9aa5b1" },
        label: { show: false },
        data: [{ xAxis: data.xLine }, { yAxis: data.yLine }]
      }
    }];
    return option;
  }

  window.cxmCharts.register({ whiskers: whiskers, scatter: scatter });
})();
