/* Printing for board papers (A4 landscape, assets/dashboard.css @media print).
   - Each printed page's foot carries the time printed, the data's as-of date and the page's
     address: #print-stamp (drawn by dashboard/shell.py) is brought up to date and handed to
     the page margin as --print-stamp.
   - Charts are scaled to the printed page's width while printing (plotly draws at a fixed
     width, which would be cut off), large ones drawn a little shorter so that a heading, its
     chart and what follows share a page, then given back to the screen. */
(function () {
  var PRINT_WIDTH = 1040; // CSS pixels across A4 landscape inside its margins
  var months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function two(n) { return (n < 10 ? "0" : "") + n; }
  var resized = [];

  window.addEventListener("beforeprint", function () {
    var now = new Date();
    var when = two(now.getUTCDate()) + " " + months[now.getUTCMonth()] + " " + now.getUTCFullYear() + " " +
      two(now.getUTCHours()) + ":" + two(now.getUTCMinutes()) + " UTC";
    document.querySelectorAll("#print-stamp .print-date").forEach(function (el) { el.textContent = when; });
    document.querySelectorAll("#print-stamp .print-address").forEach(function (el) { el.textContent = location.href; });
    var stamp = document.getElementById("print-stamp");
    if (stamp) document.documentElement.style.setProperty("--print-stamp", JSON.stringify(stamp.textContent));

    var main = document.getElementById("main");
    var scale = main && main.clientWidth > PRINT_WIDTH ? PRINT_WIDTH / main.clientWidth : 1;
    if (!window.Plotly) return;
    document.querySelectorAll(".js-plotly-plot").forEach(function (plot) {
      var height = plot._fullLayout && plot._fullLayout.height;  // as drawn
      resized.push([plot, height]);
      if (height > 250) {  // drawn again at the printed size, its box with it
        var printed = Math.max(230, Math.round(height * 0.7));
        var box = plot.closest(".dash-graph");
        if (box) box.style.height = printed + "px";
        window.Plotly.relayout(plot, {width: Math.floor(plot.clientWidth * scale), height: printed});
      } else if (scale < 1) {  // small ones (one per AHSN) scaled as they are
        plot.style.zoom = scale;
      }
    });
  });

  window.addEventListener("afterprint", function () {
    resized.splice(0).forEach(function (item) {
      item[0].style.zoom = "";
      if (item[1] > 250) {
        var box = item[0].closest(".dash-graph");
        if (box) box.style.height = item[1] + "px";
        window.Plotly.relayout(item[0], {width: null, height: item[1], autosize: true});
      }
    });
  });
})();
