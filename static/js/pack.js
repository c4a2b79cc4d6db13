// The packing station: the scan field keeps the focus (a scanner types into whatever has it),
// a refused scan beeps and flashes, Esc puts a refused item aside, Enter on the focused label link prints it.
(function () {
  "use strict";

  function field() { return document.getElementById("scan-code"); }

  function settle() {
    var station = document.getElementById("station");
    if (!station) return;
    var target = station.querySelector("[data-focus]") || field();
    if (target) target.focus();
    if (station.dataset.outcome === "refused") beep();
  }

  function beep() {
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return;
      var context = new Context();
      var tone = context.createOscillator();
      var gain = context.createGain();
      tone.type = "square";
      tone.frequency.value = 220;
      gain.gain.value = 0.2;
      tone.connect(gain);
      gain.connect(context.destination);
      tone.start();
      tone.stop(context.currentTime + 0.35);
      if (navigator.vibrate) navigator.vibrate([120, 60, 120]);
    } catch (error) { /* no sound: the red banner still says it */ }
  }

  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("station")) return;
    if (event.key === "Escape") {
      var aside = document.getElementById("put-aside");
      if (aside) { event.preventDefault(); aside.click(); }
      return;
    }
    // A scanner typing while the label link has the focus: its characters go to the scan field.
    var input = field();
    if (input && document.activeElement !== input && event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
      input.value = "";
      input.focus();
    }
  });

  document.addEventListener("htmx:afterSettle", settle);
  document.addEventListener("DOMContentLoaded", settle);
})();
