/* A chart drawn from the accessible table beside it: the table is the
 * source of the figures, the chart only shows them (aria-hidden canvas). */
ckan.module("vn-statistics-chart", function ($) {
  return {
    options: { kind: "bar", label: "" },
    initialize: function () {
      var table = document.getElementById(this.el.attr("data-table"));
      if (!table || typeof Chart === "undefined") {
        return;
      }
      var labels = [];
      var values = [];
      table.querySelectorAll("tbody tr").forEach(function (row) {
        labels.push(row.querySelector("th").textContent.trim());
        values.push(parseInt(row.querySelector("td").getAttribute("data-value"), 10));
      });
      var horizontal = this.options.kind === "bar" && labels.length > 6;
      var canvas = this.el.find("canvas")[0];
      if (horizontal) {
        // One readable row per bar, however many agencies or provinces.
        this.el.css("height", Math.max(240, labels.length * 28 + 60) + "px");
      }
      new Chart(canvas, {
        type: this.options.kind,
        data: {
          labels: labels,
          datasets: [{
            label: this.options.label,
            data: values,
            backgroundColor: "#0b4f8a",
            borderColor: "#0b4f8a",
            fill: false,
            tension: 0.2
          }]
        },
        options: {
          indexAxis: horizontal ? "y" : "x",
          maintainAspectRatio: false,
          responsive: true,
          animation: false,
          plugins: { legend: { display: false } },
          scales: {
            x: { beginAtZero: true, ticks: { precision: 0 } },
            y: { beginAtZero: true, ticks: { precision: 0 } }
          }
        }
      });
    }
  };
});
