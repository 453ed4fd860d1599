// Campus: the little behaviour pages need without a framework.
// Forms with data-confirm ask before submitting (deletions).
document.addEventListener("submit", function (event) {
  const form = event.target;
  const question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
