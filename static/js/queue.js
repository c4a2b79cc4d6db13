// The order queue: selection, bulk form, sorting, keyboard shortcuts (j/k, x, a, o, /, ?).
(function () {
  "use strict";

  function table() { return document.querySelector("table.orders"); }
  function rows() { var t = table(); return t ? Array.prototype.slice.call(t.querySelectorAll("tbody tr[data-order]")) : []; }
  function focused() { return document.querySelector("table.orders tbody tr.focused"); }
  function boxes() { return Array.prototype.slice.call(document.querySelectorAll("#bulk-form input[name=order]")); }

  function updateSelection() {
    var form = document.getElementById("bulk-form");
    if (!form) return;
    var ticked = boxes().filter(function (box) { return box.checked; }).length;
    var all = document.getElementById("all-matching");
    var counter = document.getElementById("selected-count");
    if (counter) counter.textContent = all && all.checked ? "" : (ticked ? ticked + " ✓" : "");
    boxes().forEach(function (box) { box.closest("tr").classList.toggle("selected", box.checked); });
    var action = document.getElementById("bulk-action");
    if (action) {
      var value = action.value;
      toggle("bulk-reason", value === "refuse" || value === "cancel");
      toggle("bulk-tag", value === "tag");
      toggle("bulk-assignee", value === "assign");
    }
  }

  function toggle(id, shown) {
    var el = document.getElementById(id);
    if (el) { el.hidden = !shown; el.required = shown && id !== "bulk-assignee"; }
  }

  function focusRow(row) {
    if (!row) return;
    rows().forEach(function (r) { r.classList.remove("focused"); });
    row.classList.add("focused");
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var index = all.indexOf(focused());
    focusRow(all[Math.max(0, Math.min(all.length - 1, index + step))] || all[0]);
  }

  // Only a role that may act has the bulk action (and the boxes): a viewer's `a` does nothing.
  function submitBulk(action) {
    var form = document.getElementById("bulk-form");
    var select = document.getElementById("bulk-action");
    if (!form || !select) return;
    var ticked = boxes().filter(function (box) { return box.checked; });
    var all = document.getElementById("all-matching");
    if (!ticked.length && !(all && all.checked)) {
      var row = focused();
      var box = row && row.querySelector("input[name=order]");
      if (!box) return;
      box.checked = true;
    }
    select.value = action;
    updateSelection();
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  function help() {
    var dialog = document.getElementById("shortcuts-help");
    if (!dialog) return;
    if (dialog.open) dialog.close(); else dialog.showModal();
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.isContentEditable || /^(SELECT|TEXTAREA)$/.test(target.tagName) ||
      (target.tagName === "INPUT" && !/^(checkbox|radio|button|submit)$/.test(target.type)));
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing) {
      if (event.key === "Escape") target.blur();
      return;
    }
    if (!table() && event.key !== "?") return;
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "x": {
        var row = focused();
        var box = row && row.querySelector("input[name=order]");
        if (box) { box.checked = !box.checked; updateSelection(); }
        break;
      }
      case "a": submitBulk("accept"); break;
      case "o": case "Enter": {
        var open = focused();
        if (open) window.location = open.dataset.url;
        break;
      }
      case "/": {
        var search = document.getElementById("id_q");
        if (search) search.focus();
        break;
      }
      case "?": help(); break;
      default: return;
    }
    event.preventDefault();
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.id === "select-page") {
      boxes().forEach(function (box) { box.checked = target.checked; });
    }
    if (target.closest && target.closest("#bulk-form")) updateSelection();
  });

  document.addEventListener("click", function (event) {
    // Column headers sort through the filter form, so the next filter keeps the order.
    var link = event.target.closest && event.target.closest("table.orders th a[data-sort]");
    var sort = document.querySelector("#filters [name=sort]");
    if (link && sort) {
      event.preventDefault();
      sort.value = link.dataset.sort;
      sort.dispatchEvent(new Event("change", { bubbles: true }));
      return;
    }
    var row = event.target.closest && event.target.closest("table.orders tbody tr[data-order]");
    if (row) focusRow(row);
  });

  // Saving a view saves the filters shown now (HTMX keeps the URL up to date).
  document.addEventListener("submit", function (event) {
    if (event.target.id === "save-view-form") {
      document.getElementById("save-view-query").value = window.location.search.replace(/^\?/, "");
    }
  });

  // A finished bulk job reloads the table with the current filters.
  document.body.addEventListener("orders-changed", function () {
    if (window.htmx && document.getElementById("order-table")) {
      window.htmx.ajax("GET", window.location.pathname + window.location.search, { target: "#order-table", swap: "innerHTML" });
    }
  });

  document.addEventListener("htmx:afterSwap", updateSelection);
  document.addEventListener("DOMContentLoaded", updateSelection);
})();
