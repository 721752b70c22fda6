/* The header on a phone (docs/pages.md, "The header"): one row — the brand, the stats and a Menu button
 * that shows and hides the links (aria-expanded). Without this file the links wrap under the stats. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var toggle = document.querySelector("[data-nav-toggle]");
  var nav = toggle && toggle.closest("nav");
  if (!toggle || !nav) return;
  toggle.hidden = false;

  function setOpen(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("menu-open", open);
  }

  toggle.addEventListener("click", function () {
    setOpen(toggle.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      toggle.focus();
    }
  });
})();
