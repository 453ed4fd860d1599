// Agenda: copy buttons for the subscription links (the inputs stay selectable without JS).
(function () {
  const status = document.querySelector(".copy-status");
  function say(key) {
    if (status) status.textContent = status.getAttribute(key) || "";
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    const input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      input.focus();
      input.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(
          function () { say("data-copied"); },
          function () { say("data-failed"); }
        );
      } else {
        let ok = false;
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
        say(ok ? "data-copied" : "data-failed");
      }
    });
  });
})();
