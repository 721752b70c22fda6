/* Mallard lesson player: progressive enhancement of the answer form (docs/pages.md).
 *
 * Without this file the form posts normally and the server redirects to a feedback page. With it:
 * - the form gets a client-generated answer id (crypto.randomUUID), kept for retries of the same
 *   answer so a double submit or a retried request is counted once (the server is idempotent);
 * - Check posts with fetch and the server answers with the feedback fragment, swapped into the
 *   aria-live region; focus moves to Continue, so Enter checks and Enter continues;
 * - on a network failure the form falls back to a normal POST with the same id.
 */
(function () {
  "use strict";
  var form = document.getElementById("exercise-form");
  if (!form || !window.fetch || !window.FormData) return;

  var feedback = document.getElementById("feedback");
  var formError = document.getElementById("form-error");
  var checkButton = document.getElementById("check-button");
  var clientId = form.querySelector('input[name="client_id"]');
  var timeSpent = form.querySelector('input[name="time_spent_ms"]');
  var startedAt = Date.now();
  var busy = false;
  var answered = false;

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return clientId.value; // the server-generated id is just as good
  }
  clientId.value = newId();

  function lockForm() {
    answered = true;
    form.classList.add("answered");
    form.setAttribute("aria-disabled", "true");
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.type !== "hidden") el.disabled = true;
    });
  }

  function updateTopBar(box) {
    var progress = document.getElementById("run-progress");
    var hearts = document.getElementById("hearts-value");
    if (progress && box.dataset.total) {
      progress.max = Number(box.dataset.total);
      progress.value = Number(box.dataset.done);
      progress.setAttribute("aria-label", box.dataset.progressLabel || "Lesson progress: " + box.dataset.done + " of " + box.dataset.total + " done");
    }
    if (hearts && box.dataset.hearts) hearts.textContent = box.dataset.hearts;
    var navHearts = document.getElementById("nav-hearts");
    if (navHearts && box.dataset.hearts) navHearts.textContent = box.dataset.hearts;
  }

  // Choice exercises: mark the learner's own choice as right or wrong beside the feedback (the
  // fragment's class says which; its data-chosen-* attributes carry the translated words).
  function markChoice(box) {
    if (box.classList.contains("excused")) return; // "I could not say it" is neither right nor wrong
    var wrong = box.classList.contains("incorrect");
    form.querySelectorAll('input[type="radio"]:checked').forEach(function (input) {
      var label = form.querySelector('label[for="' + input.id + '"]');
      if (!label) return;
      label.classList.add(wrong ? "chosen-wrong" : "chosen-right");
      var note = document.createElement("span");
      note.className = "visually-hidden";
      note.textContent = " " + (wrong ? box.dataset.chosenWrong : box.dataset.chosenRight);
      label.appendChild(note);
    });
  }

  function showError(html) {
    formError.innerHTML = html;
    busy = false;
    checkButton.disabled = false;
  }

  form.addEventListener("submit", function (event) {
    // An honest exit ("Can't listen now") posts the form to its own URL, as without JS.
    if (event.submitter && event.submitter.hasAttribute("data-honest-exit")) return;
    event.preventDefault();
    if (busy || answered) return;
    busy = true;
    checkButton.disabled = true;
    formError.innerHTML = "";
    timeSpent.value = String(Date.now() - startedAt);
    // Sent url-encoded, as the form posts without JS (it holds no file): cheaper for the server to
    // read than multipart, which FormData alone would send.
    var body = new URLSearchParams(new FormData(form));
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Mallard-Fragment": "1" },
    })
      .then(function (response) {
        return response.text().then(function (html) {
          return { ok: response.ok, status: response.status, html: html };
        });
      })
      .then(function (result) {
        if (result.ok) {
          lockForm();
          feedback.innerHTML = result.html;
          var box = feedback.firstElementChild;
          if (box) {
            updateTopBar(box);
            markChoice(box);
          }
          var next = document.getElementById("continue");
          if (next) next.focus();
        } else if (result.status === 400 || result.status === 409) {
          showError(result.html);
        } else {
          // 404, 500, a login redirect…: let the server handle it as a plain POST (same answer id).
          HTMLFormElement.prototype.submit.call(form);
        }
      })
      .catch(function () {
        HTMLFormElement.prototype.submit.call(form);
      });
  });

  // Quit asks first: player-keys.js opens the quit dialog (without JS the Quit button just quits).

  // Enter submits from any control of the exercise (radio buttons, tiles), not only text fields.
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing || answered) return;
    var target = event.target;
    if (target.tagName === "TEXTAREA" && !event.ctrlKey && !event.metaKey) return;
    if (target.tagName === "BUTTON" || target.tagName === "A" || target.tagName === "SUMMARY") return;
    event.preventDefault();
    if (form.requestSubmit) form.requestSubmit(checkButton);
    else checkButton.click();
  });
})();
