// Sign-up: preselect the browser's IANA time zone in every <select data-detect-time-zone>,
// unless the learner (or a re-rendered form) already chose something other than UTC.
(function () {
  "use strict";
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) { return; }
  document.querySelectorAll("select[data-detect-time-zone]").forEach(function (select) {
    if (select.value && select.value !== "UTC") { return; }
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === zone) { select.value = zone; return; }
    }
  });
})();
