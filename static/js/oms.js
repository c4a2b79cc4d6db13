// Live countdowns on deadlines: "in 3 h 12 min" / "late by 20 min", coloured as they near.
(function () {
  "use strict";
  var URGENT_MS = 3600 * 1000;
  var SOON_MS = 4 * 3600 * 1000;
  var lang = document.documentElement.lang || "en";
  var words = lang.indexOf("fr") === 0
    ? { in: "dans", late: "en retard de", d: "j", h: "h", m: "min" }
    : { in: "in", late: "late by", d: "d", h: "h", m: "min" };

  function span(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    if (days) return days + " " + words.d + " " + hours + " " + words.h;
    if (hours) return hours + " " + words.h + " " + mins + " " + words.m;
    return mins + " " + words.m;
  }

  function refresh(root) {
    var now = Date.now();
    (root || document).querySelectorAll("time[data-deadline]").forEach(function (el) {
      var left = Date.parse(el.dataset.deadline) - now;
      if (!el.dataset.absolute) el.dataset.absolute = el.textContent;
      el.textContent = left < 0 ? words.late + " " + span(left) : words.in + " " + span(left);
      el.title = el.dataset.absolute;
      el.classList.toggle("late", left < 0);
      el.classList.toggle("urgent", left >= 0 && left < URGENT_MS);
      el.classList.toggle("soon", left >= URGENT_MS && left < SOON_MS);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { refresh(); setInterval(refresh, 30000); });
  document.addEventListener("htmx:afterSwap", function (event) { refresh(event.target); });
})();
