/* Save a chart as PNG or SVG (figures.save_buttons): plotly's own export of the chart as drawn,
   for a slide or a board paper. One listener for every button, so charts drawn later work too. */
(function () {
  function say(button, text) {
    var status = button.parentNode.querySelector(".chart-save-status");
    if (status) status.textContent = text;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.chart-save");
    if (!button) return;
    var box = document.getElementById(button.getAttribute("data-chart"));
    var chart = box && (box.classList.contains("js-plotly-plot") ? box : box.querySelector(".js-plotly-plot"));
    if (!chart || !window.Plotly || !chart._fullLayout) {
      say(button, "The chart is still being drawn: try again in a moment.");
      return;
    }
    var format = button.getAttribute("data-format"), name = button.getAttribute("data-name");
    say(button, "Saving " + name + "." + format + "…");
    window.Plotly.downloadImage(chart, {
      format: format,
      filename: name,
      width: chart._fullLayout.width,
      height: chart._fullLayout.height,
      scale: format === "png" ? 2 : 1  // sharp on a projector; SVG scales by itself
    }).then(function () {
      say(button, "Saved " + name + "." + format + " (see your downloads).");
    }, function () {
      say(button, "The chart could not be saved as " + format.toUpperCase() + ".");
    });
  });
})();
