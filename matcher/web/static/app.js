// The workspace's own script (no inline script is allowed by the Content-Security-Policy).
// htmx sends the session's CSRF token with every request it makes; forms carry it as a field too.
document.addEventListener("htmx:configRequest", function (evt) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { evt.detail.headers["X-CSRF-Token"] = meta.content; }
});
// A select marked data-autosubmit submits its form when changed (week and filter pickers).
document.addEventListener("change", function (evt) {
  var el = evt.target;
  if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) { el.form.submit(); }
});
// Buttons marked data-confirm ask before they submit.
document.addEventListener("click", function (evt) {
  var el = evt.target && evt.target.closest ? evt.target.closest("[data-confirm]") : null;
  if (el && !window.confirm(el.getAttribute("data-confirm"))) { evt.preventDefault(); }
});
