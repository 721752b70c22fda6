// Every admin page (templates/admin/base_site.html): the search box that select2 (Django's autocomplete
// widgets) draws inside a multiple choice has no label; name it after the field's own label, also when
// select2 redraws it or an inline row is added.
(function () {
  "use strict";
  function name(root) {
    root.querySelectorAll(".select2-search__field:not([aria-label])").forEach(function (field) {
      var container = field.closest(".select2-container");
      var select = container && container.previousElementSibling;
      var label = select && select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
      var text = label ? label.textContent.replace(/:\s*$/, "").trim() : "";
      field.setAttribute("aria-label", text ? text + " (search)" : "Search");
    });
  }
  function start() {
    name(document);
    new MutationObserver(function () { name(document); }).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
