// Paperwork for a selection: a form with data-selection="#bulk-form" sends the orders ticked
// there (or, when none is ticked or "all matching" is, the queue's current filters).
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-selection]")) return;
    var source = document.querySelector(form.getAttribute("data-selection"));
    Array.prototype.forEach.call(form.querySelectorAll("input[data-copied]"), function (input) { input.remove(); });
    if (!source) return;
    var query = source.querySelector("input[name=query]");
    var target = form.querySelector("input[name=query]");
    if (query && target) target.value = query.value;
    var all = source.querySelector("input[name=all_matching]");
    if (all && all.checked) return;
    Array.prototype.forEach.call(source.querySelectorAll("input[name=order]:checked"), function (box) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "order";
      input.value = box.value;
      input.setAttribute("data-copied", "");
      form.appendChild(input);
    });
  });
})();
