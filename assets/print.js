/* Each printed page carries the time it was printed and its address (#print-stamp, drawn
   by dashboard/shell.py when the page was loaded): brought up to date as printing starts. */
window.addEventListener("beforeprint", function () {
  var now = new Date();
  var months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function two(n) { return (n < 10 ? "0" : "") + n; }
  var text = two(now.getUTCDate()) + " " + months[now.getUTCMonth()] + " " + now.getUTCFullYear() + " " +
    two(now.getUTCHours()) + ":" + two(now.getUTCMinutes()) + " UTC";
  document.querySelectorAll("#print-stamp .print-date").forEach(function (el) { el.textContent = text; });
  document.querySelectorAll("#print-stamp .print-address").forEach(function (el) { el.textContent = location.href; });
});
