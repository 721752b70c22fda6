/* The path's word lists: each spoken word has one small button (data-word-audio: the URLs of the best
 * source of each format, space-separated; the type follows from the file's extension) and the page has one shared <audio data-word-player>. The page
 * carries no player per word, so a long course's path stays small (docs/performance.md). Without
 * this file the buttons stay hidden. */
(function () {
  "use strict";
  var player = document.querySelector("[data-word-player]");
  if (!player) return;
  var buttons = document.querySelectorAll("[data-word-audio]");

  var TYPES = { mp3: "audio/mpeg", ogg: 'audio/ogg; codecs="vorbis"', opus: 'audio/ogg; codecs="opus"', wav: "audio/wav", m4a: "audio/mp4" };

  function playable(spec) {
    var urls = spec.split(" ").filter(Boolean);
    for (var i = 0; i < urls.length; i++) {
      var type = TYPES[urls[i].split(".").pop()];
      if (!type || player.canPlayType(type)) return urls[i];
    }
    return urls.length ? urls[0] : null;
  }

  Array.prototype.forEach.call(buttons, function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var url = playable(button.dataset.wordAudio);
      if (!url) return;
      player.pause();
      if (player.getAttribute("src") !== url) player.setAttribute("src", url);
      player.currentTime = 0;
      var started = player.play();
      if (started && typeof started.catch === "function") started.catch(function () {});
    });
  });
})();
