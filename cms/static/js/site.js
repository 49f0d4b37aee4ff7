// Behaviour of the public site. Loaded from our own origin: the Content-Security-Policy
// allows no inline script or event handler attribute.

// A menu marked data-submit-on-change (the language menu) is submitted as soon as an
// option is chosen; without script its own button does it.
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-submit-on-change]");
  if (select && select.form) {
    select.form.submit();
  }
});
