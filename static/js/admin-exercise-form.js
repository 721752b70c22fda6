// The exercise form in admin (courses.forms.ExerciseAdminForm): the payload help follows the type as
// it changes, and a payload still empty or equal to the previous type's example is replaced by the
// new type's example. No save needed; nothing is sent. Without JavaScript the page after a save shows
// the saved type's help.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    var type = document.getElementById("id_type");
    var payload = document.getElementById("id_payload");
    if (!type || !payload || !payload.dataset.examples) return;
    var examples = JSON.parse(payload.dataset.examples);
    var previous = type.value;
    function showHelp(name) {
      document.querySelectorAll(".payload-help details[data-type]").forEach(function (details) {
        var chosen = details.dataset.type === name;
        details.hidden = !chosen;
        details.open = chosen;
      });
    }
    type.addEventListener("change", function () {
      var current = payload.value.trim();
      if (current === "" || current === (examples[previous] || "").trim() || current === "{}") {
        payload.value = examples[type.value] || "{}";
      }
      previous = type.value;
      showHelp(type.value);
    });
    showHelp(type.value);
  });
})();
