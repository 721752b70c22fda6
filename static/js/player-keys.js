/* Mallard lesson player: keyboard and focus (docs/pages.md, "Keyboard shortcuts").
 *
 * Loaded after player.js and exercises.js; each part below is one function, and none changes what the
 * form sends. Without this file the player still works with Tab, Space and Enter, and Quit just quits.
 * - focusAnswerControl: on load, focus lands on the exercise's first answer control.
 * - digits 1–9 pick the n-th choice, picture, self-assessment, word-bank tile or match item (in a match,
 *   a digit first picks a word on the left, then the next digit its partner on the right);
 * - Enter checks from anywhere, tiles and match items included (Space or a digit picks those; Check is
 *   refused while there is no answer) and, after Check, continues;
 * - Esc asks to quit in an accessible dialog (<dialog>: focus is kept inside, Esc again keeps learning);
 * - Check stays disabled until there is an answer, so an empty answer never makes a round trip;
 * - after Check the feedback replaces the Check bar: one action row, and player.js focuses Continue.
 */
(function () {
  "use strict";
  var player = document.getElementById("player");
  var form = document.getElementById("exercise-form");
  if (!player || !form) return;
  var checkButton = document.getElementById("check-button");
  var actions = form.querySelector(".player-actions");
  var feedback = document.getElementById("feedback");

  function visible(el) {
    return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  }

  function answered() {
    return form.classList.contains("answered");
  }

  function isTextField(el) {
    if (!el) return false;
    if (el.tagName === "TEXTAREA" || el.isContentEditable) return true;
    return el.tagName === "INPUT" && !/^(radio|checkbox|button|submit|reset|hidden|range|color|file)$/.test(el.type);
  }

  // The exercise's answer controls, in page order: fields, choices, tiles and match items.
  function answerControls() {
    var found = form.querySelectorAll(
      ".ex input:not([type=hidden]):not([disabled]), .ex select:not([disabled]), " +
        ".ex textarea:not([disabled]), .ex button:not([disabled])"
    );
    return Array.prototype.filter.call(found, function (el) {
      // Word hints in the prompt are buttons too, but not answer controls (templates/exercises/_hinted_text.html).
      return visible(el) && !el.closest(".special-keys") && !el.classList.contains("hint-word");
    });
  }

  function focusAnswerControl() {
    var first = answerControls()[0];
    if (first) first.focus();
  }

  // --- An answer is there (Check enabled) ----------------------------------------------------
  function hasAnswer() {
    var values = new FormData(form).getAll("answer").filter(function (v) {
      return String(v).trim() !== "";
    });
    if (!values.length) return false;
    // Match pairs without the board: every <select> must have its partner.
    var open = Array.prototype.filter.call(form.querySelectorAll('select[name="answer"]:not([disabled])'), function (s) {
      return !s.value;
    });
    return open.length === 0;
  }

  function refreshCheck() {
    if (!checkButton || answered()) return;
    checkButton.disabled = !hasAnswer();
  }

  // --- Digits --------------------------------------------------------------------------------
  function enabled(list) {
    return Array.prototype.filter.call(list, function (el) {
      return visible(el);
    });
  }

  function pickByDigit(n) {
    var tiles = enabled(form.querySelectorAll("[data-wb-tiles] button"));
    if (tiles.length) {
      var tile = tiles[n - 1];
      if (tile && !tile.disabled) tile.click();
      return !!tile;
    }
    var lefts = enabled(form.querySelectorAll('button[data-side="left"]'));
    if (lefts.length) {
      var waiting = form.querySelector('button[data-side="left"][aria-pressed="true"]');
      var side = waiting ? enabled(form.querySelectorAll('button[data-side="right"]')) : lefts;
      var item = side[n - 1];
      if (item && !item.disabled) {
        item.click();
        if (!waiting && document.activeElement !== item && item.isConnected) item.focus();
      }
      return !!item;
    }
    var radios = enabled(form.querySelectorAll('input[type="radio"][name="answer"]:not([disabled])'));
    if (!radios.length) {
      radios = Array.prototype.filter.call(form.querySelectorAll('input[type="radio"][name="answer"]:not([disabled])'), function (r) {
        var label = r.labels && r.labels[0];
        return label && visible(label);
      });
    }
    var radio = radios[n - 1];
    if (radio) {
      radio.checked = true;
      radio.focus();
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    }
    return !!radio;
  }

  function labelShortcuts() {
    var groups = [
      form.querySelectorAll("[data-wb-tiles] button"),
      form.querySelectorAll('button[data-side="left"]'),
      form.querySelectorAll('button[data-side="right"]'),
      form.querySelectorAll('input[type="radio"][name="answer"]'),
    ];
    groups.forEach(function (list) {
      Array.prototype.forEach.call(list, function (el, i) {
        if (i < 9) el.setAttribute("aria-keyshortcuts", String(i + 1));
      });
    });
  }

  // --- Quit dialog ---------------------------------------------------------------------------
  var quitForm = document.querySelector("form.quit-form");
  var dialog = document.getElementById("quit-dialog");
  var quitting = false;

  function askToQuit() {
    if (!dialog || typeof dialog.showModal !== "function") {
      if (quitForm && window.confirm(quitForm.dataset.confirm || "")) quitForm.submit();
      return;
    }
    if (!dialog.open) dialog.showModal();
  }

  if (quitForm) {
    quitForm.addEventListener("submit", function (event) {
      if (quitting) return;
      event.preventDefault();
      askToQuit();
    });
  }
  if (dialog) {
    var cancel = dialog.querySelector("[data-quit-cancel]");
    var confirmButton = dialog.querySelector("[data-quit-confirm]");
    if (cancel) cancel.addEventListener("click", function () { dialog.close(); });
    if (confirmButton) {
      confirmButton.addEventListener("click", function () {
        quitting = true;
        dialog.close();
        quitForm.submit();
      });
    }
  }

  // --- Keys ----------------------------------------------------------------------------------
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
    if (dialog && dialog.open) return; // the dialog handles its own keys (Esc closes it)
    var target = event.target;
    if (event.key === "Escape") {
      event.preventDefault();
      askToQuit();
      return;
    }
    if (/^[1-9]$/.test(event.key) && !answered() && !isTextField(target)) {
      if (pickByDigit(Number(event.key))) event.preventDefault();
      return;
    }
    // Enter on a tile or a match item checks too (Space picks it, as do the digits); not on a word hint.
    if (event.key === "Enter" && !answered() && target.tagName === "BUTTON" && target.closest(".ex") &&
        !target.closest(".special-keys") && !target.classList.contains("hint-word")) {
      event.preventDefault();
      if (hasAnswer()) {
        if (form.requestSubmit) form.requestSubmit(checkButton);
        else checkButton.click();
      }
      return;
    }
    if (event.key === "Enter" && !form.contains(target) && !(feedback && feedback.contains(target))) {
      if (target.closest && target.closest("a, button, summary, input, select, textarea, [contenteditable]")) return;
      var next = document.getElementById("continue");
      if (answered() && next) {
        event.preventDefault();
        next.click();
      } else if (!answered() && hasAnswer()) {
        event.preventDefault();
        if (form.requestSubmit) form.requestSubmit(checkButton);
        else checkButton.click();
      }
    }
  });

  // No empty round trip: a submit without an answer is stopped before player.js sends it.
  document.addEventListener(
    "submit",
    function (event) {
      if (event.target === form && !answered() && !hasAnswer()) {
        event.preventDefault();
        event.stopImmediatePropagation();
        refreshCheck();
      }
    },
    true
  );

  ["input", "change", "click"].forEach(function (type) {
    form.addEventListener(type, function () { window.setTimeout(refreshCheck, 0); });
  });

  // --- After Check: the feedback takes the Check bar's place ----------------------------------
  if (feedback && actions && window.MutationObserver) {
    new MutationObserver(function () {
      var box = feedback.querySelector(".feedback:not(.error)");
      actions.hidden = !!box;
    }).observe(feedback, { childList: true });
  }

  labelShortcuts();
  refreshCheck();
  focusAnswerControl();
})();
