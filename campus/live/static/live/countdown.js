/* Keeps "dans 2 h 15 min" fresh on <time datetime="…Z" data-countdown> elements.
   The server already rendered the text, so without JS the page still reads right.
   Formats (translated) come from the #live-countdown-formats JSON; rules mirror
   campus/live/templatetags/live_student.py:countdown_text. */
(function () {
  "use strict";
  var source = document.getElementById("live-countdown-formats");
  var nodes = document.querySelectorAll("time[data-countdown]");
  if (!source || !nodes.length) return;
  var f;
  try { f = JSON.parse(source.textContent); } catch (e) { return; }

  function fill(format, values) {
    return format.replace(/%\((\w)\)s/g, function (_, key) { return values[key]; });
  }

  function text(start, now) {
    var seconds = Math.floor((start - now) / 1000);
    if (seconds <= 0) return f.now;
    if (seconds < 60) return f.soon;
    var minutes = Math.floor(seconds / 60);
    if (minutes < 60) return fill(f.minutes, { m: minutes });
    if (minutes < 1440) {
      var m = minutes % 60;
      return fill(f.hours, { h: Math.floor(minutes / 60), m: m < 10 ? "0" + m : m });
    }
    var days = Math.floor(minutes / 1440);
    return fill(days === 1 ? f.day : f.days, { d: days });
  }

  function tick() {
    var now = Date.now();
    nodes.forEach(function (node) {
      var start = Date.parse(node.getAttribute("datetime"));
      if (!isNaN(start)) node.textContent = text(start, now);
    });
  }

  tick();
  setInterval(tick, 30000);
})();
