/* Ask Tutor: stream the tutor's reply into the page (docs/pages.md, "Ask Tutor").
 *
 * Without this file the form posts normally; the server waits for the whole reply and shows the
 * chat again. With it, the same form is posted with fetch (Accept: text/event-stream) and the
 * server answers with server-sent events: `message` (your stored message), `delta` (pieces of the
 * reply), then `done` or `failed` (the stored reply). A refusal is a JSON error (status 4xx/5xx)
 * shown in the form's role="alert" box, keeping what you typed.
 *
 * Accessibility: the conversation is a role="log" region; the reply being written is aria-busy
 * until it is complete, so screen readers read it once, and a role="status" line says when the
 * tutor is writing and when it has answered. Ctrl+Enter (or Cmd+Enter) sends.
 */
(function () {
  "use strict";
  var form = document.getElementById("tutor-form");
  if (!form || !window.fetch || !window.FormData || !window.TextDecoder || !window.ReadableStream) return;

  var log = document.getElementById("tutor-log");
  var status = document.getElementById("tutor-status");
  var errorBox = document.getElementById("tutor-error");
  var textarea = form.querySelector("textarea");
  var sendButton = document.getElementById("tutor-send");
  var busy = false;

  function say(text) { status.textContent = text; }

  function showError(text) {
    errorBox.textContent = "";
    var p = document.createElement("p");
    p.textContent = text;
    errorBox.appendChild(p);
    textarea.setAttribute("aria-invalid", "true");
  }

  function clearError() {
    errorBox.textContent = "";
    textarea.removeAttribute("aria-invalid");
  }

  function setBusy(value) {
    busy = value;
    sendButton.disabled = value;
    form.setAttribute("aria-busy", value ? "true" : "false");
  }

  function addMessage(message) {
    var li = document.createElement("li");
    li.className = "tutor-msg tutor-msg-" + message.sender + " tutor-" + message.status;
    li.id = "message-" + message.ordinal;
    li.dataset.ordinal = message.ordinal;
    var who = document.createElement("p");
    who.className = "tutor-sender";
    who.textContent = message.sender === "learner" ? "You" : "Tutor";
    var text = document.createElement("div");
    text.className = "tutor-text";
    text.textContent = message.content || "";
    li.appendChild(who);
    li.appendChild(text);
    log.appendChild(li);
    return li;
  }

  function finishReply(li, message) {
    li.className = "tutor-msg tutor-msg-tutor tutor-" + message.status;
    li.id = "message-" + message.ordinal;
    li.querySelector(".tutor-text").textContent = message.content || "";
    if (message.status === "failed") {
      var p = document.createElement("p");
      p.className = "tutor-failed";
      p.textContent = "⚠️ " + message.error;
      li.appendChild(p);
      say(form.dataset.couldNotAnswer || "The tutor could not answer.");
      showError(message.error);
    } else {
      say(form.dataset.answered || "The tutor has answered.");
    }
    li.removeAttribute("aria-busy");
  }

  function parseEvent(block) {
    var name = "message", data = "";
    block.split("\n").forEach(function (line) {
      if (line.indexOf("event:") === 0) name = line.slice(6).trim();
      else if (line.indexOf("data:") === 0) data += line.slice(5).trim();
    });
    return { name: name, data: data ? JSON.parse(data) : {} };
  }

  function readStream(response) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    var reply = null;
    var ended = false;

    function handle(event) {
      if (event.name === "message") {
        addMessage(event.data);
        textarea.value = "";
        reply = addMessage({ sender: "tutor", status: "pending", ordinal: event.data.ordinal + 1, content: "" });
        reply.setAttribute("aria-busy", "true");
        say(form.dataset.writing || "The tutor is writing…");
      } else if (event.name === "delta" && reply) {
        reply.querySelector(".tutor-text").textContent += event.data.text;
      } else if ((event.name === "done" || event.name === "failed") && reply) {
        ended = true;
        finishReply(reply, event.data);
      }
    }

    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) {
          if (!ended && reply) {
            finishReply(reply, { sender: "tutor", status: "failed", ordinal: reply.dataset.ordinal, content: reply.querySelector(".tutor-text").textContent, error: form.dataset.connectionLost || "The connection was lost before the reply was finished. Reload the page to see what was saved." });
          }
          return;
        }
        buffer += decoder.decode(chunk.value, { stream: true });
        var parts = buffer.split("\n\n");
        buffer = parts.pop();
        parts.forEach(function (block) { if (block.trim()) handle(parseEvent(block)); });
        return pump();
      });
    }
    return pump();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) return;
    clearError();
    if (!textarea.value.trim()) {
      showError(form.dataset.empty || "Write a message for the tutor.");
      textarea.focus();
      return;
    }
    setBusy(true);
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "text/event-stream" },
      credentials: "same-origin",
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.ok && type.indexOf("text/event-stream") === 0) return readStream(response);
      if (type.indexOf("application/json") === 0) {
        return response.json().then(function (body) { showError(body.detail || form.dataset.notSent || "The message was not sent."); });
      }
      showError((form.dataset.notSentStatus || "The message was not sent (error __STATUS__). Try again.").replace("__STATUS__", response.status));
    }).catch(function () {
      showError(form.dataset.connectionFailed || "The connection failed. Your message may not have been sent; reload the page to check.");
    }).then(function () {
      setBusy(false);
      textarea.focus();
    });
  });

  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (form.requestSubmit) form.requestSubmit(); else form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });
})();
