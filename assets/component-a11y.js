/* Three gaps in Dash 4's own components, closed in the browser (axe-core finds both; WCAG 4.1.2):
   - Dropdown is reached with Tab through a stand-in <input aria-hidden="true"> that hands focus
     on to the labelled button: a focusable element hidden from screen readers. Tab reaches the
     button itself instead, which has the name, the popup role and the keys (Enter, arrow down);
     the stand-in is taken out of the tab order.
   - Upload's file input has no name: it is named by the drop zone's own words.
   - Checklist calls itself a listbox (with no name) of options that each hold a checkbox: an
     interactive control inside another. Its real checkboxes, each in its label, are what a
     screen reader needs (the fieldset's legend names the group): the borrowed roles go. */
(function () {
  function fix() {
    document.querySelectorAll(".dash-dropdown-focus-target").forEach(function (stand_in) {
      if (stand_in.tabIndex !== -1) stand_in.tabIndex = -1;
      var button = stand_in.nextElementSibling;
      if (button && button.tagName === "BUTTON" && !button.disabled && button.tabIndex !== 0) button.tabIndex = 0;
    });
    document.querySelectorAll("input[type=file]:not([aria-label])").forEach(function (input) {
      var zone = input.parentElement;
      var words = zone ? zone.textContent.trim() : "";
      input.setAttribute("aria-label", words || "Choose a file");
    });
    document.querySelectorAll(".dash-checklist[role=listbox]").forEach(function (list) {
      list.removeAttribute("role");
    });
    document.querySelectorAll(".dash-checklist label[role=option]").forEach(function (option) {
      option.removeAttribute("role");
      option.removeAttribute("aria-selected");
    });
  }
  new MutationObserver(fix).observe(document.documentElement,
    {childList: true, subtree: true, attributes: true, attributeFilter: ["tabindex", "role"]});
  fix();
})();
