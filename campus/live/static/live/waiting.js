/* The waiting room, once the class has started: the status fragment names this
   student's moment to enter (data-enter-after-ms, a share of the class's entry spread,
   so that 500 students do not load the room in the same second); reload into the room
   then. The fragment's link enters at once. */
(function () {
  "use strict";
  var scheduled = false;

  function enterWhenDue() {
    var note = document.querySelector("[data-enter-after-ms]");
    if (!note || scheduled) return;
    var delay = parseInt(note.getAttribute("data-enter-after-ms"), 10);
    scheduled = true;
    window.setTimeout(function () { window.location.reload(); }, isNaN(delay) ? 0 : delay);
  }

  document.addEventListener("htmx:afterSwap", enterWhenDue);
})();
