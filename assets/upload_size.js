/* The upload page's size check, before a file is sent.
   dcc.Upload's max_size drops a larger file without telling anyone (plotly/dash#2638), and
   the server would refuse the request, so this says why in #upload-size-note instead. The limit
   comes from the note's data-max-bytes (METRICS_MAX_UPLOAD_BYTES); the server checks again. */
(function () {
  function size(bytes) {
    return bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.ceil(bytes / 1024) + " KB";
  }
  function check(event) {
    var box = event.target && event.target.closest && event.target.closest("#upload-file");
    var note = document.getElementById("upload-size-note");
    if (!box || !note) return;
    var files = event.type === "drop" ? (event.dataTransfer || {}).files : event.target.files;
    var limit = Number(note.getAttribute("data-max-bytes"));
    var big = Array.prototype.find.call(files || [], function (f) { return f.size > limit; });
    note.textContent = big
      ? "\u2717 " + big.name + " is " + size(big.size) + ", more than the " + size(limit) +
        " a return may be, so it was not sent. A return is one row per trust: check it is the right " +
        "file, or save just the return's sheet as CSV."
      : "";
    note.hidden = !big;
  }
  document.addEventListener("change", check, true);
  document.addEventListener("drop", check, true);
})();
