/* Mallard: the countdown of a timed run (docs/pages.md, "Timed practice").
 *
 * The server is the clock: it sends the whole seconds left when the page is rendered, and refuses
 * answers from the deadline on. This script only shows that time running down. The visible clock is
 * hidden from screen readers (it changes every second); a polite live region says the time left at
 * sensible moments instead — every full minute, at 30 and at 10 seconds — and "Time is up" at the
 * end, when the answer form is closed and the "See results" button (a plain form POST) takes focus.
 */
(function () {
  "use strict";
  var box = document.getElementById("countdown");
  if (!box) return;
  var clock = document.getElementById("countdown-clock");
  var live = document.getElementById("countdown-live");
  var left = Number(box.dataset.secondsLeft);
  if (!isFinite(left)) return;
  var end = Date.now() + left * 1000; // measured from this page's arrival, not the device's clock
  var announced = null;

  function format(seconds) {
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function say(seconds) {
    var text;
    if (seconds <= 0) text = box.dataset.overLabel;
    else if (seconds >= 60) text = box.dataset.minutesLabel.replace("__M__", Math.floor(seconds / 60)).replace("__S__", seconds % 60);
    else text = box.dataset.secondsLabel.replace("__S__", seconds);
    live.textContent = text;
  }

  function shouldAnnounce(seconds) {
    return seconds <= 0 || seconds === 30 || seconds === 10 || (seconds % 60 === 0);
  }

  function timeUp() {
    var form = document.getElementById("exercise-form");
    if (form) {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.type !== "hidden") el.disabled = true;
      });
    }
    var finish = document.getElementById("time-up-form");
    if (finish) {
      finish.hidden = false;
      var button = document.getElementById("time-up-button");
      if (button) button.focus();
    }
  }

  function tick() {
    var seconds = Math.max(0, Math.ceil((end - Date.now()) / 1000));
    clock.textContent = format(seconds);
    box.classList.toggle("low", seconds <= 10);
    if (seconds !== announced && shouldAnnounce(seconds) && seconds !== left) {
      announced = seconds;
      say(seconds);
    }
    if (seconds <= 0) {
      timeUp();
      return;
    }
    window.setTimeout(tick, 250);
  }
  tick();
})();
