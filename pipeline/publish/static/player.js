/* learninglab portal: captions under the audio player, a transcript that follows playback, and the
   data-saver switch. Plain JavaScript, no framework; the page reads fine without it.
   The player starts on the low-bitrate MP3 with preload="none": nothing is fetched before play.
   The switch plays the full-quality file instead and is remembered (localStorage). */
(function () {
  "use strict";

  function start() {
    var audio = document.getElementById("player");
    if (!audio) return;
    var transcript = document.getElementById("transcript");
    var lines = transcript ? Array.prototype.slice.call(transcript.querySelectorAll("li[data-start]")) : [];
    var starts = lines.map(function (li) { return parseFloat(li.getAttribute("data-start")); });
    var caption = document.getElementById("caption");
    var current = -1;

    // Data saver (default) or full quality: swap the file, keep the position, remember the choice.
    var KEY = "learninglab-quality";
    var now = document.getElementById("quality-now");
    var toggle = document.getElementById("quality-switch");
    var quality = "low";
    function remembered() { try { return window.localStorage.getItem(KEY); } catch (e) { return null; } }
    function remember(value) { try { window.localStorage.setItem(KEY, value); } catch (e) { /* private mode */ } }
    function use(value) {
      var src = audio.getAttribute(value === "full" ? "data-full" : "data-low");
      if (!src) return;
      quality = value;
      if (audio.getAttribute("src") !== src) {
        var at = audio.currentTime, playing = !audio.paused;
        audio.setAttribute("src", src);          // preload="none": still nothing fetched until play
        if (at > 0) audio.currentTime = at;
        if (playing) { var p = audio.play(); if (p && p.catch) p.catch(function () {}); }
      }
      if (now) now.textContent = now.getAttribute("data-when-" + value);
      if (toggle) {
        toggle.textContent = toggle.getAttribute("data-when-" + value);
        toggle.setAttribute("href", audio.getAttribute(value === "full" ? "data-low" : "data-full"));
      }
    }
    if (toggle) {
      toggle.addEventListener("click", function (event) {
        event.preventDefault();
        use(quality === "full" ? "low" : "full");
        remember(quality);
      });
    }
    if (remembered() === "full") use("full");

    // Time links point at the MP3 (#t=) so they work without JavaScript; here they seek the player.
    document.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[data-t]") : null;
      if (!link) return;
      event.preventDefault();
      audio.currentTime = parseFloat(link.getAttribute("data-t"));
      var playing = audio.play();
      if (playing && playing.catch) playing.catch(function () {});
    });

    function lineAt(time) {
      var lo = 0, hi = starts.length - 1, found = -1;
      while (lo <= hi) {
        var mid = (lo + hi) >> 1;
        if (starts[mid] <= time) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
      }
      return found;
    }

    function follow() {
      var index = lineAt(audio.currentTime);
      if (index === current) return;
      if (current >= 0) { lines[current].classList.remove("active"); lines[current].removeAttribute("aria-current"); }
      current = index;
      if (index < 0) return;
      var line = lines[index];
      line.classList.add("active");
      line.setAttribute("aria-current", "true");
      if (!audio.paused) {
        var box = line.getBoundingClientRect();
        var player = audio.parentNode.getBoundingClientRect();
        if (box.top < player.bottom || box.bottom > window.innerHeight) {
          window.scrollBy({ top: box.top - player.bottom - 16, behavior: "smooth" });
        }
      }
    }
    audio.addEventListener("timeupdate", follow);
    audio.addEventListener("seeked", follow);

    // A cue as a reader sees it: "Name: words", from its <v Name> tag and its text without markup.
    function cueText(cue) {
      var voice = /^(?:<[^v>][^>]*>)*<v(?:\.[^\s>]*)?\s+([^>]*)>/.exec(cue.text);
      var said = cue.getCueAsHTML ? cue.getCueAsHTML().textContent : cue.text.replace(/<[^>]*>/g, "");
      if (!voice) return said;
      var name = voice[1].replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
      return name + ": " + said;
    }

    // Audio elements draw no captions: read the page-language VTT track and show its cues here.
    var track = audio.querySelector("track");
    if (track && track.track && caption) {
      track.track.mode = "hidden";
      track.track.addEventListener("cuechange", function () {
        var cues = this.activeCues, text = [];
        for (var i = 0; cues && i < cues.length; i++) text.push(cueText(cues[i]));
        caption.textContent = text.join("\n");
        caption.hidden = text.length === 0;
      });
    }
    document.documentElement.classList.add("js");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
