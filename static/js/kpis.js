// The dashboard's trend charts (Chart.js from npm): each account's data comes in a json_script
// element named by its canvas's data-kpi-chart; a select picks the target, radios the period.
(function () {
  "use strict";

  function build(canvas) {
    var source = document.getElementById(canvas.dataset.kpiChart);
    if (!source || typeof Chart === "undefined") return;
    var charts = JSON.parse(source.textContent);
    var box = canvas.closest(".kpi-chart");
    var select = box.querySelector("[data-kpi-target]");
    var chart = null;

    function range() {
      var checked = box.querySelector("[data-kpi-range]:checked");
      return checked ? parseInt(checked.value, 10) : 30;
    }

    function draw() {
      var data = charts[select.value];
      if (!data) return;
      var points = data.points.slice(-range());
      var labels = points.map(function (point) { return point[0]; });
      var values = points.map(function (point) { return point[1]; });
      var threshold = points.map(function () { return data.threshold; });
      var datasets = [
        { label: data.label + " (" + data.window + " d)", data: values, borderColor: "#1f4e79", backgroundColor: "#1f4e79", spanGaps: true, pointRadius: 0, tension: 0.2 },
        { label: canvas.dataset.thresholdLabel, data: threshold, borderColor: "#b42318", borderDash: [6, 4], pointRadius: 0, fill: false },
      ];
      if (chart) {
        chart.data.labels = labels;
        chart.data.datasets = datasets;
        chart.update();
        return;
      }
      chart = new Chart(canvas, {
        type: "line",
        data: { labels: labels, datasets: datasets },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          interaction: { mode: "index", intersect: false },
          scales: { y: { beginAtZero: true, ticks: { callback: function (value) { return value + " %"; } } }, x: { ticks: { maxTicksLimit: 8 } } },
          plugins: { legend: { position: "bottom" } },
        },
      });
    }

    select.addEventListener("change", draw);
    box.querySelectorAll("[data-kpi-range]").forEach(function (radio) { radio.addEventListener("change", draw); });
    draw();
    canvas.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-kpi-chart]").forEach(build);
  });
})();
