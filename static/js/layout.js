// The layout's small behaviours: the top bar's menu and the queue's filters open behind a button
// on a phone (a [aria-controls] toggle), and the preference selects send their form when changed.
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

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("[data-autosubmit]") && select.form) {
      if (select.form.requestSubmit) select.form.requestSubmit(); else select.form.submit();
    }
  });
})();
