// Live countdowns on deadlines: "in 3 h 12 min" / "late by 20 min", coloured as they near.
// Strings come from Django's JavaScript catalogue (djangojs domain, /jsi18n/, loaded before this file).
(function () {
  "use strict";
  var URGENT_MS = 3600 * 1000;
  var SOON_MS = 4 * 3600 * 1000;

  function span(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var parts = { days: Math.floor(minutes / 1440), hours: Math.floor((minutes % 1440) / 60), minutes: minutes % 60 };
    if (parts.days) return interpolate(gettext("%(days)s d %(hours)s h"), parts, true);
    if (parts.hours) return interpolate(gettext("%(hours)s h %(minutes)s min"), parts, true);
    return interpolate(gettext("%(minutes)s min"), parts, true);
  }

  function refresh(root) {
    var now = Date.now();
    (root || document).querySelectorAll("time[data-deadline]").forEach(function (el) {
      var left = Date.parse(el.dataset.deadline) - now;
      if (!el.dataset.absolute) el.dataset.absolute = el.textContent;
      el.textContent = interpolate(left < 0 ? gettext("late by %(span)s") : gettext("in %(span)s"), { span: span(left) }, true);
      el.title = el.dataset.absolute;
      el.classList.toggle("late", left < 0);
      el.classList.toggle("urgent", left >= 0 && left < URGENT_MS);
      el.classList.toggle("soon", left >= URGENT_MS && left < SOON_MS);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { refresh(); setInterval(refresh, 30000); });
  document.addEventListener("htmx:afterSwap", function (event) { refresh(event.target); });
})();
