// Charts of the statistics pages (Apache ECharts, vendored). The data is the page's own
// JSON (json_script); every chart has its table beside it on the page.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("statistics-chart-data");
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var names = data.rate_names;
    var units = document.getElementById("chart-units");
    if (units) {
      echarts.init(units).setOption({
        title: { text: "各单位收到事项与三率", textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis" },
        legend: { top: 24 },
        grid: { top: 64 },
        xAxis: { type: "category", data: data.units },
        yAxis: [{ type: "value", name: "件" }, { type: "value", name: "%", max: 100 }],
        series: [{ name: "收到事项", type: "bar", data: data.received }].concat(
          Object.keys(data.rates).map(function (key) {
            return { name: names[key], type: "bar", yAxisIndex: 1, data: data.rates[key] };
          })
        ),
      });
    }
    var trend = document.getElementById("chart-trend");
    if (trend) {
      echarts.init(trend).setOption({
        title: { text: "近12个月趋势", textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis" },
        legend: { top: 24 },
        grid: { top: 64 },
        xAxis: { type: "category", data: data.months },
        yAxis: [{ type: "value", name: "件" }, { type: "value", name: "%", max: 100 }],
        series: [{ name: "收到事项", type: "bar", data: data.trend_received }].concat(
          Object.keys(data.trend_rates).map(function (key) {
            return { name: names[key], type: "line", yAxisIndex: 1, connectNulls: true, data: data.trend_rates[key] };
          })
        ),
      });
    }
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
