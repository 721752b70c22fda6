// Special-character keys under typed answers (templates/exercises/_special_keys.html): pressing a
// key (click, Enter or Space) inserts its character at the caret of the answer box, replacing any
// selection, and puts the focus back in the box so typing goes on. One listener for the page, even
// when several fragments include this script.
(function () {
  "use strict";
  if (window.mallardSpecialKeys) return;
  window.mallardSpecialKeys = true;

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-insert]") : null;
    if (!button) return;
    var group = button.closest("[data-special-keys]");
    var input = group ? document.getElementById(group.getAttribute("data-for")) : null;
    if (!input || input.disabled || input.readOnly) return;
    event.preventDefault();
    var text = button.getAttribute("data-insert");
    var start = typeof input.selectionStart === "number" ? input.selectionStart : input.value.length;
    var end = typeof input.selectionEnd === "number" ? input.selectionEnd : start;
    input.setRangeText(text, start, end, "end");
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.focus();
  });
})();
