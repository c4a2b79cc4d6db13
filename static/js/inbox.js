// The buyer messages inbox: j/k move between conversations, o or Enter opens the focused one.
(function () {
  "use strict";

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("table.threads tbody tr[data-thread]")); }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var current = all.findIndex(function (row) { return row.classList.contains("focused"); });
    var next = all[Math.min(Math.max(current + step, 0), all.length - 1)];
    all.forEach(function (row) { row.classList.remove("focused"); });
    next.classList.add("focused");
    next.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(target.tagName))) return;
    if (event.key === "j") { move(1); event.preventDefault(); }
    else if (event.key === "k") { move(-1); event.preventDefault(); }
    else if (event.key === "o" || event.key === "Enter") {
      var focused = document.querySelector("table.threads tbody tr.focused");
      if (focused && focused.dataset.url) { window.location.href = focused.dataset.url; event.preventDefault(); }
    }
  });
})();
