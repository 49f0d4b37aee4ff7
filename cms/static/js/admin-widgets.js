// Wagtail renders its date and time pickers with an inline <script>, which the site's
// Content-Security-Policy (script-src 'self') does not run. Our widget templates
// (cms/templates/wagtailadmin/widgets/) leave a marker instead; this starts each picker
// from its marker, on page load and whenever the admin inserts markup later (dialogs,
// filters refreshed in place, new inline forms).
(() => {
  const PICKERS = new Set(["initDateChooser", "initTimeChooser", "initDateTimeChooser"]);

  function start(marker) {
    const init = window[marker.dataset.picker];
    const input = document.getElementById(marker.dataset.pickerFor);
    if (!PICKERS.has(marker.dataset.picker) || typeof init !== "function" || !input) {
      return;
    }
    marker.remove();
    init(input.id, JSON.parse(marker.dataset.pickerConfig || "{}"));
  }

  function startWithin(node) {
    if (node.nodeType !== Node.ELEMENT_NODE) {
      return;
    }
    if (node.matches("[data-picker]")) {
      start(node);
    }
    node.querySelectorAll("[data-picker]").forEach(start);
  }

  function watch() {
    startWithin(document.body);
    new MutationObserver((changes) => {
      changes.forEach((change) => change.addedNodes.forEach(startWithin));
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watch);
  } else {
    watch();
  }
})();
