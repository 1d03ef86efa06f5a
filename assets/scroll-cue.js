/* The cue that a table scrolls sideways (assets/dashboard.css, .table-wrap::after): shown only
   while the table is wider than its box and not scrolled to its end. Tables drawn later by
   Dash are picked up as they appear. */
(function () {
  function measure(box) {
    var more = box.scrollWidth > box.clientWidth + 1;
    box.classList.toggle("fits", !more);
    box.classList.toggle("has-more", more);
    box.classList.toggle("at-end", more && box.scrollLeft + box.clientWidth >= box.scrollWidth - 1);
  }
  function watch(box) {
    if (box.dataset.cue) return;
    box.dataset.cue = "1";
    box.addEventListener("scroll", function () { measure(box); }, {passive: true});
    measure(box);
  }
  function all() { document.querySelectorAll(".table-wrap").forEach(watch); }
  function remeasure() { document.querySelectorAll(".table-wrap").forEach(measure); }
  new MutationObserver(function () { all(); remeasure(); }).observe(document.documentElement,
    {childList: true, subtree: true});
  window.addEventListener("resize", remeasure);
  all();
})();
