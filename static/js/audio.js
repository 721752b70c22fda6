/* Replay and slow replay for templates/media_assets/audio.html. Plain JS, no dependency.
   Safe to load more than once: a second load only enhances players it has not seen yet. Players
   inserted later into the page (htmx, innerHTML) are enhanced as they appear. */
(function () {
  "use strict";

  if (window.mallardAudio) {
    window.mallardAudio.enhanceAll(document);
    return;
  }

  var current = null;

  function play(audio, button) {
    if (current && current !== audio) {
      current.pause();
    }
    current = audio;
    audio.currentTime = 0;
    if (button) {
      button.classList.add("playing");
      audio.addEventListener("ended", function () { button.classList.remove("playing"); }, { once: true });
    }
    var started = audio.play();
    if (started && typeof started.catch === "function") {
      // Autoplay may be refused until the learner interacts: the buttons still work.
      started.catch(function () { if (button) { button.classList.remove("playing"); } });
    }
  }

  function enhance(player) {
    if (player.dataset.audioReady) {
      return;
    }
    player.dataset.audioReady = "1";
    var normal = player.querySelector("[data-audio-normal]");
    var slow = player.querySelector("[data-audio-slow]");
    var replay = player.querySelector("[data-audio-replay]");
    var slowReplay = player.querySelector("[data-audio-slow-replay]");
    if (!normal || !replay) {
      return;
    }
    if (player.classList.contains("compact")) {
      normal.removeAttribute("controls");
      normal.hidden = true;
    }
    replay.hidden = false;
    replay.addEventListener("click", function () { play(normal, replay); });
    if (slow && slowReplay) {
      slowReplay.hidden = false;
      slowReplay.addEventListener("click", function () { play(slow, slowReplay); });
    }
    if ("autoplay" in player.dataset) {
      play(normal, replay);
    }
  }

  function enhanceAll(root) {
    var players = (root || document).querySelectorAll("[data-audio-player]");
    for (var i = 0; i < players.length; i++) {
      enhance(players[i]);
    }
  }

  window.mallardAudio = { enhanceAll: enhanceAll, play: play };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  } else {
    enhanceAll(document);
  }
  // Players added later (htmx swaps, or a fragment set with innerHTML, whose scripts never run).
  if ("MutationObserver" in window) {
    new MutationObserver(function (records) {
      for (var i = 0; i < records.length; i++) {
        var added = records[i].addedNodes;
        for (var j = 0; j < added.length; j++) {
          var node = added[j];
          if (node.nodeType !== 1) {
            continue;
          }
          if (node.matches("[data-audio-player]")) {
            enhance(node);
          } else {
            enhanceAll(node);
          }
        }
      }
    }).observe(document.documentElement, { childList: true, subtree: true });
  }
})();
