/* The swap from the page the server sent as HTML (#prerendered, dashboard/prerender.py) to
   the page Dash draws. Dash's root is laid out hidden beside it (.dash-pending); once it holds
   every element the server's page has, the header's data line and every chart, the server's
   page is removed and Dash's shown in the same frame, at the same scroll position, so nothing
   jumps. Focus moves to the same element in Dash's page (the same link, cell or button, with an
   id or not). If Dash never gets there (a failed request), the swap happens anyway after 20 s,
   so the page is never left without its working controls. */
(function () {
  var pre = document.getElementById("prerendered");
  var root = document.getElementById("react-entry-point");
  if (!pre || !root) return;
  var wait = JSON.parse(pre.getAttribute("data-wait") || "{}");
  var done = false;

  function drawn() {
    var ids = wait.ids || [], graphs = wait.graphs || [], filled = wait.filled || [];
    for (var i = 0; i < ids.length; i++) {
      if (!root.querySelector("#" + CSS.escape(ids[i]))) return false;
    }
    for (var j = 0; j < graphs.length; j++) {
      if (!root.querySelector("#" + CSS.escape(graphs[j]) + " .main-svg")) return false;
    }
    for (var k = 0; k < filled.length; k++) {
      var el = root.querySelector("#" + CSS.escape(filled[k]));
      if (!el || !el.textContent.trim()) return false;
    }
    return true;
  }

  // The element in Dash's page that stands where `el` stands in the server's: the same id, or
  // else the same tag at the same place among its kind within the nearest ancestor with an id
  // (a link in the table, a cell), if it reads the same.
  function counterpart(el) {
    if (el.id) return root.querySelector("#" + CSS.escape(el.id));
    var scope = el.parentElement;
    while (scope && scope !== pre && !scope.id) scope = scope.parentElement;
    var there = scope && scope !== pre ? root.querySelector("#" + CSS.escape(scope.id)) : root;
    if (!there) return null;
    var here = scope && scope !== pre ? scope : pre;
    var index = Array.prototype.indexOf.call(here.getElementsByTagName(el.tagName), el);
    var found = there.getElementsByTagName(el.tagName)[index];
    return found && found.textContent === el.textContent ? found : null;
  }

  function swap(late) {
    if (done) return;
    done = true;
    observer.disconnect();
    var focused = document.activeElement && pre.contains(document.activeElement) ? counterpart(document.activeElement) : null;
    var x = window.scrollX, y = window.scrollY;
    pre.remove();
    root.classList.remove("dash-pending");
    window.scrollTo(x, y);
    if (focused) focused.focus({preventScroll: true});
    // "timed-out": swapped by the fallback before Dash had drawn everything (the benchmark counts these)
    document.documentElement.setAttribute("data-dash-ready", late === true ? "timed-out" : "true");
  }

  var observer = new MutationObserver(function () {
    if (!done && drawn()) requestAnimationFrame(swap);
  });
  observer.observe(root, {childList: true, subtree: true});
  setTimeout(function () { swap(true); }, 20000);
})();
