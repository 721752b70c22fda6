/* Mallard exercise fragments: small progressive enhancements (docs/exercise-types.md).
 *
 * Every fragment works without this file (plain form controls). With it:
 * - word_bank: the listed words become tile buttons; choosing tiles builds the answer line, and one
 *   hidden `answer` input per chosen tile carries its index in the order chosen (the typed-answer field
 *   is disabled so only the tiles are sent). Activating a word on the answer line puts it back.
 * - match_pairs: two columns of buttons; choose an item on the left, then its match on the right; the
 *   server checks that pair (the form's data-pairs-url); a right pair sets the item's <select>, which is
 *   what the form sends, a wrong one flashes and un-pairs; the last pair sends the answer.
 * - speak: where the browser offers speech recognition, a microphone button fills the transcript.
 * Safe to load several times on one page: each fieldset is enhanced once.
 */
(function () {
  "use strict";

  function enhanceWordBank(box) {
    var tilesList = box.querySelector("[data-wb-tiles]");
    var line = box.querySelector("[data-wb-line]");
    var typed = box.querySelector("[data-wb-typed]");
    var typedInput = typed.querySelector("input");
    var formId = typedInput.getAttribute("form");
    var chosen = []; // tile indices, in order

    tilesList.querySelectorAll("[data-index]").forEach(function (li) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "tile";
      button.textContent = li.textContent;
      button.dataset.index = li.dataset.index;
      button.addEventListener("click", function () {
        if (button.disabled) return;
        var hadFocus = document.activeElement === button;
        chosen.push(Number(button.dataset.index));
        render();
        var now = document.activeElement;
        if (hadFocus || !now || now === document.body || now.disabled) focusNextTile(button);
      });
      li.textContent = "";
      li.appendChild(button);
    });

    // The chosen tile is hidden: focus stays in the tile list (the next free tile, else the one before,
    // else the last word of the answer line), never falls back to the page.
    function focusNextTile(from) {
      var tiles = Array.prototype.slice.call(tilesList.querySelectorAll("button"));
      var at = tiles.indexOf(from);
      var order = tiles.slice(at + 1).concat(tiles.slice(0, at).reverse());
      var next = order.filter(function (b) { return !b.disabled; })[0];
      var lineButtons = line.querySelectorAll("button");
      (next || lineButtons[lineButtons.length - 1]).focus();
    }

    function tileButton(index) {
      return tilesList.querySelector('button[data-index="' + index + '"]');
    }

    function render() {
      line.textContent = "";
      box.querySelectorAll("input[data-wb-hidden]").forEach(function (el) { el.remove(); });
      chosen.forEach(function (index, position) {
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "tile chosen";
        button.textContent = tileButton(index).textContent;
        button.setAttribute("aria-label", button.textContent + " (remove)");
        button.addEventListener("click", function () {
          chosen.splice(position, 1);
          render();
          var next = line.querySelectorAll("button")[Math.min(position, chosen.length - 1)];
          (next || tileButton(index)).focus();
        });
        li.appendChild(button);
        line.appendChild(li);
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = "answer";
        hidden.value = String(index);
        hidden.dataset.wbHidden = "";
        if (formId) hidden.setAttribute("form", formId);
        box.appendChild(hidden);
      });
      tilesList.querySelectorAll("button").forEach(function (b) {
        var used = chosen.indexOf(Number(b.dataset.index)) !== -1;
        b.disabled = used;
        b.classList.toggle("used", used);
      });
    }

    typedInput.disabled = true;
    typedInput.required = false;
    typed.hidden = true;
    box.querySelector("[data-wb-answer]").hidden = false;
    box.classList.add("enhanced");
  }

  function enhanceMatchPairs(box) {
    var board = box.querySelector("[data-mp-board]");
    var selects = box.querySelectorAll("select[data-left]");
    var current = null; // the left button waiting for its match

    function selectFor(left) {
      return box.querySelector('select[data-left="' + left + '"]');
    }

    function refresh() {
      var usedRights = {};
      selects.forEach(function (s) {
        if (s.value) usedRights[s.value.split("-")[1]] = s.dataset.left;
      });
      box.querySelectorAll('button[data-side="left"]').forEach(function (b) {
        var paired = !!selectFor(b.dataset.index).value;
        b.classList.toggle("paired", paired);
        b.setAttribute("aria-pressed", current === b ? "true" : "false");
      });
      box.querySelectorAll('button[data-side="right"]').forEach(function (b) {
        b.classList.toggle("paired", usedRights[b.dataset.index] !== undefined);
      });
    }

    box.querySelectorAll('button[data-side="left"]').forEach(function (b) {
      b.addEventListener("click", function () {
        current = current === b ? null : b;
        refresh();
      });
    });
    function pair(left, rightButton) {
      var value = left.dataset.index + "-" + rightButton.dataset.index;
      // A right item belongs to one left item at a time.
      selects.forEach(function (s) {
        if (s.value && s.value.split("-")[1] === rightButton.dataset.index) s.value = "";
      });
      selectFor(left.dataset.index).value = value;
    }

    function focusNext() {
      var next = box.querySelector('button[data-side="left"]:not(.paired)');
      if (next) next.focus();
    }

    box.querySelectorAll('button[data-side="right"]').forEach(function (b) {
      b.addEventListener("click", function () {
        if (!current || b.classList.contains("matched")) return;
        var left = current;
        current = null;
        checkPair(left, b, function (verdict) {
          if (verdict === "right") {
            pair(left, b);
            [left, b].forEach(function (el) { el.classList.add("matched"); el.disabled = true; });
          } else if (verdict === "wrong") {
            [left, b].forEach(function (el) { el.classList.add("mp-wrong"); });
            window.setTimeout(function () {
              [left, b].forEach(function (el) { el.classList.remove("mp-wrong"); });
            }, 600);
          } else {
            pair(left, b); // not checked (offline): paired, never shown as right; Check judges it
          }
          refresh();
          if (verdict === "complete") return;
          focusNext();
        });
      });
    });
    // Each pair is judged by the server as it is made (docs/game-rules.md, "Match pairs"): the API
    // says whether that one pair is right. A wrong pair flashes and un-pairs; once every pair is
    // found the answer is sent. Without the API (no URL, offline) pairs are made unchecked.
    var status = box.querySelector("[data-mp-status]");
    var form = selects.length ? document.getElementById(selects[0].getAttribute("form")) : null;
    var pairsUrl = form ? form.dataset.pairsUrl : null;

    function say(text) {
      if (status) status.textContent = text;
    }

    function checkPair(left, rightButton, done) {
      if (!pairsUrl || !window.fetch) return done("unchecked");
      var token = form.querySelector('input[name="csrfmiddlewaretoken"]');
      fetch(pairsUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.value : "" },
        body: JSON.stringify({
          exercise: Number(form.querySelector('input[name="exercise"]').value),
          left: Number(left.dataset.index),
          right: Number(rightButton.dataset.index),
        }),
      })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (result) {
          var names = left.textContent + " = " + rightButton.textContent;
          say((result.correct ? box.dataset.msgRight : box.dataset.msgWrong) + " " + names);
          done(result.correct ? "right" : "wrong");
          if (result.complete) {
            var check = document.getElementById("check-button");
            if (form.requestSubmit) form.requestSubmit(check || undefined);
            else if (check) check.click();
          }
        })
        .catch(function () { done("unchecked"); });
    }

    selects.forEach(function (s) { s.addEventListener("change", refresh); });
    box.querySelector("[data-mp-selects]").hidden = true;
    board.hidden = false;
    refresh();
    box.classList.add("enhanced");
  }

  function enhanceSpeak(box) {
    var Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
    if (!Recognition) return;
    var mic = box.querySelector("[data-speak-mic]");
    var start = box.querySelector("[data-speak-start]");
    var status = box.querySelector("[data-speak-status]");
    var transcript = box.querySelector("[data-speak-transcript]");
    mic.hidden = false;
    start.addEventListener("click", function () {
      var recognition = new Recognition();
      recognition.lang = box.dataset.lang || "";
      recognition.interimResults = false;
      recognition.maxAlternatives = 1;
      status.textContent = box.dataset.listening || "Listening…";
      recognition.onresult = function (event) {
        var text = event.results[0][0].transcript;
        transcript.value = text;
        transcript.disabled = false;
        box.querySelectorAll('input[type="radio"]').forEach(function (r) { r.checked = false; r.disabled = true; });
        status.textContent = (box.dataset.heard || "Heard: “__TEXT__”. Press Check.").replace("__TEXT__", text);
      };
      recognition.onerror = function () {
        status.textContent = box.dataset.failed || "Speech recognition did not work; answer with the buttons below.";
      };
      recognition.start();
    });
    box.classList.add("enhanced");
  }

  // Word hints: a tap shows a word's translations (touch browsers may not focus a tapped button);
  // Escape or a second tap hides them. Focus and hover show them through CSS alone.
  function enhanceHints(box) {
    box.querySelectorAll(".hint-word").forEach(function (button) {
      button.addEventListener("click", function () {
        button.parentNode.classList.toggle("open");
      });
      button.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && button.parentNode.classList.contains("open")) {
          button.parentNode.classList.remove("open");
          event.stopPropagation(); // closes the hint, not the lesson
        }
      });
      button.addEventListener("blur", function () {
        button.parentNode.classList.remove("open");
      });
    });
    box.classList.add("hints-enhanced");
  }

  function init() {
    document.querySelectorAll(".ex:not(.hints-enhanced)").forEach(enhanceHints);
    document.querySelectorAll("[data-word-bank]:not(.enhanced)").forEach(enhanceWordBank);
    document.querySelectorAll("[data-match-pairs]:not(.enhanced)").forEach(enhanceMatchPairs);
    document.querySelectorAll("[data-speak]:not(.enhanced)").forEach(enhanceSpeak);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
