// The layout's small behaviours: the top bar's menu and the queue's filters open behind a button
// on a phone (a [aria-controls] toggle), wide tables scroll by keyboard, and the preference selects
// send their form when changed.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("button[aria-controls][aria-expanded]");
    if (!toggle) return;
    var panel = document.getElementById(toggle.getAttribute("aria-controls"));
    if (!panel) return;
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    panel.classList.toggle("open", open);
  });

  // A table wider than a phone scrolls inside itself (oms.css); it takes the keyboard focus so
  // that the arrow keys can scroll it too.
  function focusableScrollers(root) {
    (root || document).querySelectorAll(".page table").forEach(function (table) {
      if (table.scrollWidth > table.clientWidth) table.setAttribute("tabindex", "0");
      else table.removeAttribute("tabindex");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { focusableScrollers(); });
  window.addEventListener("resize", function () { focusableScrollers(); });
  document.addEventListener("htmx:afterSwap", function (event) { focusableScrollers(event.target); });

  // A <select data-autosubmit> sends its form when changed (the language and time zone pickers).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("[data-autosubmit]") && select.form) {
      if (select.form.requestSubmit) select.form.requestSubmit(); else select.form.submit();
    }
  });
})();
