// Confirmation before a destructive or irreversible action. A form with data-confirm-title (and
// data-confirm: what the marketplace will be told, where %(reason)s is the form's reason,
// data-confirm-button: the verb) asks in the
// #confirm-dialog before it is sent; the queue's bulk form builds its question from the action
// and the number of orders. The question runs before HTMX sees the submit (capture phase).
(function () {
  "use strict";

  function bulkCount(form) {
    var all = form.querySelector("#all-matching");
    if (all && all.checked) return all.dataset.count;
    return String(form.querySelectorAll("input[name=order]:checked").length);
  }

  // The bulk actions the marketplace hears about; tagging, assigning and exporting stay in the OMS.
  function bulkQuestion(form) {
    var action = form.querySelector("#bulk-action");
    if (!action) return null;
    var count = bulkCount(form);
    var n = parseInt(count, 10) || 0;
    var reason = (form.querySelector("#bulk-reason") || {}).value || "";
    var values = { count: count, reason: reason };
    switch (action.value) {
      case "accept":
        return {
          title: interpolate(ngettext("Accept %(count)s order?", "Accept %(count)s orders?", n), values, true),
          text: ngettext("The marketplace will be told that you accept it and will ship it.",
            "The marketplace will be told that you accept them and will ship them.", n),
          button: gettext("Accept"),
        };
      case "refuse":
        return {
          title: interpolate(ngettext("Refuse %(count)s order?", "Refuse %(count)s orders?", n), values, true),
          text: interpolate(ngettext("The marketplace will be told that you refuse it, because: “%(reason)s”. This cannot be undone.",
            "The marketplace will be told that you refuse them, because: “%(reason)s”. This cannot be undone.", n), values, true),
          button: gettext("Refuse"),
        };
      case "cancel":
        return {
          title: interpolate(ngettext("Cancel %(count)s order?", "Cancel %(count)s orders?", n), values, true),
          text: interpolate(ngettext("The marketplace will be told that you cancel it, because: “%(reason)s”. The buyer is told. This cannot be undone.",
            "The marketplace will be told that you cancel them, because: “%(reason)s”. The buyers are told. This cannot be undone.", n), values, true),
          button: gettext("Cancel the orders"),
        };
      default:
        return null;
    }
  }

  function question(form) {
    if (form.id === "bulk-form") return bulkQuestion(form);
    if (!form.dataset.confirmTitle) return null;
    var reason = form.querySelector("[name=reason]");
    return {
      title: form.dataset.confirmTitle,
      text: interpolate(form.dataset.confirm || "", { reason: reason ? reason.value : "" }, true),
      button: form.dataset.confirmButton || gettext("Confirm"),
    };
  }

  function ask(asked, onConfirm) {
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog) { onConfirm(); return; }
    document.getElementById("confirm-title").textContent = asked.title;
    document.getElementById("confirm-text").textContent = asked.text;
    document.getElementById("confirm-button").textContent = asked.button;
    dialog.returnValue = "";
    dialog.addEventListener("close", function closed() {
      dialog.removeEventListener("close", closed);
      if (dialog.returnValue === "confirm") onConfirm();
    });
    dialog.showModal();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.confirmed === "1") { delete form.dataset.confirmed; return; }
    var asked = question(form);
    if (!asked) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    var submitter = event.submitter || null;
    ask(asked, function () {
      form.dataset.confirmed = "1";
      // A view that insists on a confirmation (discarding a push) reads it from this field.
      if (form.elements.confirm) form.elements.confirm.value = "1";
      if (form.requestSubmit) form.requestSubmit(submitter); else form.submit();
    });
  }, true);
})();
