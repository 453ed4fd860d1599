// Certificates: the rating dialog opened on load (native <dialog>; "Plus tard" is a
// method="dialog" form, so closing needs no script), the copy button of the share
// link, and the print button of the verification page. Safe to load twice.
(function () {
  if (window.campusCertificates) {
    window.campusCertificates.openPending();
    return;
  }

  function openPending() {
    document.querySelectorAll("dialog[data-open-on-load]:not([data-opened])").forEach(function (dialog) {
      dialog.setAttribute("data-opened", "");
      const key = dialog.getAttribute("data-later-key");
      try {
        if (key && window.sessionStorage.getItem(key)) return; // "Plus tard" already chosen
      } catch (e) { /* storage unavailable: just open */ }
      if (typeof dialog.showModal === "function" && !dialog.open) dialog.showModal();
      dialog.addEventListener("close", function () {
        if (dialog.returnValue === "later" && key) {
          try { window.sessionStorage.setItem(key, "1"); } catch (e) { /* ignore */ }
        }
      });
    });
  }

  document.addEventListener("click", function (event) {
    const target = event.target instanceof Element ? event.target : null;
    const copy = target && target.closest("[data-copy]");
    if (copy) {
      const input = document.getElementById(copy.getAttribute("data-copy"));
      if (!input) return;
      const done = function () {
        const label = copy.textContent;
        copy.textContent = copy.getAttribute("data-copied") || label;
        window.setTimeout(function () { copy.textContent = label; }, 2000);
      };
      input.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () {
          document.execCommand("copy"); done();
        });
      } else {
        document.execCommand("copy");
        done();
      }
      return;
    }
    if (target && target.closest("[data-print]")) window.print();
  });

  document.addEventListener("htmx:afterSettle", openPending);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", openPending);
  } else {
    openPending();
  }
  window.campusCertificates = { openPending: openPending };
})();
