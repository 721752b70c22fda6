/* Sound effects: a right answer, a wrong answer, a lesson complete. templates/base.html loads this only
   when the learner's "Sound effects" setting is on, so the setting holds on every page. It plays a sound
   when the page shows (or later inserts) an answer's feedback (.feedback.correct / .feedback.incorrect)
   or an element marked data-sound="complete". Plain JS, no dependency; silent if the browser refuses. */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.mallardSounds) {
    return;
  }
  var probe = document.createElement("audio");
  var ext = probe.canPlayType && probe.canPlayType('audio/ogg; codecs="vorbis"') ? "Ogg" : "Mp3";
  var cache = {};

  function play(name) {
    var audio = cache[name];
    if (!audio) {
      // data-src-correct-ogg, data-src-wrong-mp3, …: the files' URLs as the static storage names them.
      var url = script.dataset["src" + name.charAt(0).toUpperCase() + name.slice(1) + ext];
      if (!url) {
        return;
      }
      audio = cache[name] = new Audio(url);
      audio.preload = "auto";
    }
    try {
      audio.currentTime = 0;
      var started = audio.play();
      if (started && typeof started.catch === "function") {
        started.catch(function () {});  // autoplay refused: stay silent
      }
    } catch (e) {
      /* no audio support */
    }
  }

  function soundFor(el) {
    if (el.dataset && el.dataset.sound) {
      return el.dataset.sound;
    }
    if (el.classList && el.classList.contains("feedback")) {
      if (el.classList.contains("correct")) { return "correct"; }
      if (el.classList.contains("incorrect")) { return "wrong"; }
    }
    return null;
  }

  function scan(root) {
    var found = [];
    if (root.nodeType !== 1) {
      return;
    }
    if (soundFor(root)) {
      found.push(root);
    }
    root.querySelectorAll(".feedback.correct, .feedback.incorrect, [data-sound]").forEach(function (el) { found.push(el); });
    found.forEach(function (el) {
      if (el.dataset.soundPlayed) {
        return;
      }
      el.dataset.soundPlayed = "1";
      var name = soundFor(el);
      if (name === "correct" || name === "wrong" || name === "complete") {
        play(name);
      }
    });
  }

  window.mallardSounds = { play: play };
  function start() {
    scan(document.body);
    new MutationObserver(function (mutations) {
      mutations.forEach(function (m) { m.addedNodes.forEach(scan); });
    }).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
