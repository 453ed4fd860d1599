// Campus: the little behaviour pages need without a framework. The pages' policy
// (Content-Security-Policy) runs no inline handler and no string as code, so the
// templates declare behaviour with data- attributes and it lives here, once.

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

// data-swap-on-error="400 409": inside this element, answers with one of these statuses
// are swapped like a success. The view answers them with the form and its French errors.
document.addEventListener("htmx:beforeSwap", function (event) {
  const detail = event.detail;
  const owner = detail.elt && detail.elt.closest && detail.elt.closest("[data-swap-on-error]");
  if (!owner) {
    return;
  }
  const statuses = owner.getAttribute("data-swap-on-error").split(/\s+/);
  if (statuses.indexOf(String(detail.xhr.status)) !== -1) {
    detail.shouldSwap = true;
    detail.isError = false;
  }
});

// data-clear-closest=".reply-slot" on a link: with script, a click empties that ancestor
// (closing an inline form) instead of following the link, which is the no-script way.
document.addEventListener("click", function (event) {
  const link = event.target.closest && event.target.closest("[data-clear-closest]");
  if (!link) {
    return;
  }
  const slot = link.closest(link.getAttribute("data-clear-closest"));
  if (slot) {
    event.preventDefault();
    slot.replaceChildren();
  }
});

// data-poll-pauses-while-editing on a polling element (hx-trigger="every …"): a poll
// waits while focus is inside or one of its text fields holds text, so an answer being
// typed is never wiped by the refreshed list.
function isBeingEdited(element) {
  if (element.contains(document.activeElement)) {
    return true;
  }
  const fields = element.querySelectorAll("textarea, input[type='text'], input:not([type])");
  return Array.prototype.some.call(fields, function (field) {
    return field.value !== "";
  });
}

document.addEventListener("htmx:confirm", function (event) {
  const element = event.detail.elt;
  if (element.hasAttribute("data-poll-pauses-while-editing") && isBeingEdited(element)) {
    event.preventDefault();
  }
});

// htmx is configured (meta htmx-config) never to evaluate strings: say so loudly when a
// template still asks for it (hx-on, a [filter] in hx-trigger, js: in hx-vals).
document.addEventListener("htmx:evalDisallowedError", function (event) {
  console.error(
    "Content Security Policy: htmx refused to evaluate an attribute of",
    event.target
  );
});
