// Staff dashboard: draws the charts from the JSON the page embeds (#pm-dashboard-data) with the
// vendored Chart.js (static/vendor/chartjs). Each chart's numbers are also in a table on the page.
(function () {
  "use strict";

  var STATUS_COLORS = {
    PENDING: "#9aa5b1",
    PROCESSING: "#3b82f6",
    COMPLETED: "#16a34a",
    FAILED: "#dc2626",
  };
  var GRANTED = "#0ea5e9";
  var SPENT = "#7c3aed";
  var REFUNDED = "#f59e0b";
  var USER_CAUSED = "#9aa5b1";
  var PALETTE = ["#7c3aed", "#0ea5e9", "#16a34a", "#f59e0b", "#ec4899", "#14b8a6", "#64748b"];

  function textColor() {
    return getComputedStyle(document.body).getPropertyValue("--body-fg").trim() || "#333";
  }

  function gridColor() {
    return getComputedStyle(document.body).getPropertyValue("--hairline-color").trim() || "#e5e7eb";
  }

  function baseOptions(extra) {
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: reduced ? false : { duration: 400 },
      plugins: { legend: { labels: { color: textColor(), boxWidth: 12 } } },
      scales: {
        x: { ticks: { color: textColor(), maxRotation: 0, autoSkipPadding: 12 }, grid: { display: false } },
        y: { beginAtZero: true, ticks: { color: textColor(), precision: 0 }, grid: { color: gridColor() } },
      },
    };
    return Object.assign(options, extra || {});
  }

  function horizontal(unit) {
    var options = baseOptions({ indexAxis: "y" });
    options.plugins.legend = { display: false };
    options.scales = {
      x: { beginAtZero: true, ticks: { color: textColor() }, grid: { color: gridColor() },
           title: { display: !!unit, text: unit, color: textColor() } },
      // Every bar is labelled: Chart.js would skip labels that do not fit (every other effect name).
      y: { ticks: { color: textColor(), autoSkip: false }, grid: { display: false } },
    };
    return options;
  }

  var builders = {
    jobs: function (d) {
      var options = baseOptions();
      options.scales.x.stacked = true;
      options.scales.y.stacked = true;
      return {
        type: "bar",
        data: {
          labels: d.labels,
          datasets: d.series.map(function (s) {
            return { label: s.label, data: s.data, backgroundColor: STATUS_COLORS[s.key] || "#888", borderRadius: 2 };
          }),
        },
        options: options,
      };
    },
    errors: function (d) {
      return {
        type: "bar",
        data: {
          labels: d.labels,
          datasets: [{
            label: "Failed jobs",
            data: d.data,
            // The user's photo (no person in it, not an image) in grey; the system's failures in red.
            backgroundColor: (d.causes || []).map(function (cause) { return cause === "user" ? USER_CAUSED : STATUS_COLORS.FAILED; }),
            borderRadius: 3,
          }],
        },
        options: horizontal("failed jobs"),
      };
    },
    timing: function (d) {
      return {
        type: "bar",
        data: { labels: d.labels, datasets: [{ label: "Median seconds", data: d.data, backgroundColor: "#3b82f6", borderRadius: 3 }] },
        options: horizontal("seconds (median)"),
      };
    },
    credits: function (d) {
      return {
        type: "bar",
        data: {
          labels: d.labels,
          datasets: [
            { label: "Granted", data: d.granted, backgroundColor: GRANTED, borderRadius: 2 },
            { label: "Spent", data: d.spent, backgroundColor: SPENT, borderRadius: 2 },
            { label: "Refunded", data: d.refunded, backgroundColor: REFUNDED, borderRadius: 2 },
          ],
        },
        options: baseOptions(),
      };
    },
    revenue: function (d) {
      return {
        type: "doughnut",
        data: {
          labels: d.labels,
          datasets: [{ data: d.data, backgroundColor: d.labels.map(function (_l, i) { return PALETTE[i % PALETTE.length]; }) }],
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: baseOptions().animation,
          plugins: { legend: { position: "right", labels: { color: textColor(), boxWidth: 12 } } },
        },
      };
    },
    users: function (d) {
      var options = baseOptions();
      options.plugins.legend = { display: false };
      return {
        type: "line",
        data: {
          labels: d.labels,
          datasets: [{ label: "New users", data: d.data, borderColor: "#16a34a", backgroundColor: "rgba(22, 163, 74, 0.15)", fill: true, cubicInterpolationMode: "monotone", pointRadius: 2 }],
        },
        options: options,
      };
    },
  };

  function draw() {
    var source = document.getElementById("pm-dashboard-data");
    if (!source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var name = canvas.getAttribute("data-chart");
      if (builders[name] && data[name]) {
        new window.Chart(canvas, builders[name](data[name]));
        canvas.setAttribute("data-drawn", "true");
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
