// Certificates: the rating dialog (native <dialog>; its close button is a method="dialog"
// form, so closing needs no script), the copy button of the share link, and the print
// button of the verification page. Safe to load twice.
(function () {
  if (window.campusCertificates) {
    window.campusCertificates.openPending();
    return;
  }

  // A dialog the server sends with data-open-on-load opens once it is in the page: the
  // one that opens by itself after completion (the server records that it was shown,
  // so it does not come back) or the one asked for with "Donner mon avis" (htmx).
  function openPending() {
    document.querySelectorAll("dialog[data-open-on-load]:not([data-opened])").forEach(function (dialog) {
      dialog.setAttribute("data-opened", "");
      if (typeof dialog.showModal === "function" && !dialog.open) dialog.showModal();
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
