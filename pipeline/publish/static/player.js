/* learninglab portal: captions under the audio player and a transcript that follows playback.
   Plain JavaScript, no framework; the page reads fine without it. */
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
