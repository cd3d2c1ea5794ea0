// The bureau's dashboard: three charts (ECharts, vendored) from the json_script block.
(function () {
  "use strict";
  function draw() {
    var data = document.getElementById("dash-charts-data");
    if (!data || !window.echarts) return;
    var c = JSON.parse(data.textContent);
    var grid = { left: 40, right: 12, top: 12, bottom: 28 };
    window.echarts.init(document.getElementById("chart-hist")).setOption({
      animation: false, grid: grid, tooltip: {},
      xAxis: { type: "category", data: c.histogram.map(function (b) { return b[0]; }) },
      yAxis: { type: "value", minInterval: 1, name: "单位数" },
      series: [{ type: "bar", data: c.histogram.map(function (b) { return b[1]; }), label: { show: true, position: "top" } }]
    });
    function points(outruns) {
      return c.scatter.filter(function (p) { return p.outruns === outruns; });
    }
    window.echarts.init(document.getElementById("chart-scatter")).setOption({
      animation: false, grid: { left: 40, right: 12, top: 24, bottom: 36 },
      legend: { top: 0, textStyle: { fontSize: 11 } },
      tooltip: { formatter: function (p) { return p.data.name + "<br>执行率 " + p.data.value[0] + "%，总分 " + p.data.value[1]; } },
      xAxis: { type: "value", name: "执行率%", nameLocation: "middle", nameGap: 22, min: 0, max: 100 },
      yAxis: { type: "value", name: "总分", min: 0, max: 100 },
      series: [
        { type: "scatter", name: "得分高于执行率", data: points(true), itemStyle: { color: "#d4351c" }, symbolSize: 9 },
        { type: "scatter", name: "其他", data: points(false), itemStyle: { color: "#1d70b8" }, symbolSize: 7 },
        { type: "line", name: "总分 = 执行率", data: [[0, 0], [100, 100]], showSymbol: false, lineStyle: { type: "dashed", color: "#999" } }
      ]
    });
    window.echarts.init(document.getElementById("chart-funnel")).setOption({
      animation: false, grid: { left: 84, right: 30, top: 8, bottom: 20 }, tooltip: {},
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: c.funnel.map(function (s) { return s[0]; }) },
      series: [{ type: "bar", data: c.funnel.map(function (s) { return s[1]; }), label: { show: true, position: "right" }, itemStyle: { color: "#00703c" } }]
    });
  }
  window.addEventListener("load", draw);
})();
