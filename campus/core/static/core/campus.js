// Campus: the little behaviour pages need without a framework.
// Forms with data-confirm ask before submitting (deletions).
document.addEventListener("submit", function (event) {
  const form = event.target;
  const question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// htmx leaves 4xx answers unswapped. Inside an element marked data-swap-errors (the
// Markdown "Aperçu"), a 4xx fragment from the view (header Campus-Fragment) is shown
// as is; any other 4xx (a request refused before the view) shows the element's text.
document.addEventListener("htmx:beforeSwap", function (event) {
  const detail = event.detail;
  const owner = detail.elt && detail.elt.closest && detail.elt.closest("[data-swap-errors]");
  const status = detail.xhr.status;
  if (!owner || status < 400 || status >= 500) {
    return;
  }
  if (!detail.xhr.getResponseHeader("Campus-Fragment")) {
    const message = document.createElement("p");
    message.className = "md-preview-error";
    message.setAttribute("role", "alert");
    message.textContent = owner.getAttribute("data-swap-errors");
    detail.serverResponse = message.outerHTML;
  }
  detail.shouldSwap = true;
  detail.isError = false;
});
