// Drive Debian's chromium (headless, through playwright-core) over the portal that
// `learninglab serve` serves, and print what it saw as JSON. Plays nothing.
// Usage: node portal.js BASE_URL SCREENSHOT_DIR        (called by tests/test_portal_browser.py)
"use strict";
const path = require("path");
const { drive } = require("./chromium");

const [base, shots] = process.argv.slice(2);

function pageFacts() {
  const audio = document.querySelector("audio#player");
  const track = audio && audio.querySelector("track");
  const lines = document.querySelectorAll("#transcript li[data-start]");
  return {
    url: location.href,
    lang: document.documentElement.lang,
    title: document.title,
    switcher: Array.from(document.querySelectorAll("nav.langs a")).map((a) => ({
      href: a.getAttribute("href"), hreflang: a.getAttribute("hreflang"), lang: a.getAttribute("lang"),
      current: a.getAttribute("aria-current") })),
    alternates: Array.from(document.querySelectorAll('link[rel="alternate"][hreflang]')).map((l) => l.hreflang),
    audio: audio ? { src: audio.currentSrc || audio.getAttribute("src"), controls: audio.controls } : null,
    track: track ? { kind: track.kind, srclang: track.srclang, src: track.getAttribute("src"),
      label: track.label, cues: track.track && track.track.cues ? track.track.cues.length : 0,
      mode: track.track ? track.track.mode : null } : null,
    transcriptLines: lines.length,
    firstLine: lines.length ? lines[0].textContent.replace(/\s+/g, " ").trim() : "",
    scripts: Array.from(document.scripts).map((s) => s.getAttribute("src")),
    notices: Array.from(document.querySelectorAll(".notice")).map((p) => p.textContent.trim()),
    bodyText: document.body.innerText,
    overflow: document.documentElement.scrollWidth - window.innerWidth,
  };
}

drive(async (browser) => {
  const report = { requests: [], pages: {} };
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("request", (request) => report.requests.push(request.url()));
  page.on("pageerror", (error) => { report.errors = (report.errors || []).concat(String(error)); });

  await page.goto(base, { waitUntil: "load" });
  report.pages.root = await page.evaluate(pageFacts);
  report.pages.root.episodes = await page.$$eval("ol.episodes h3 a", (as) => as.map((a) => a.textContent));
  await page.screenshot({ path: path.join(shots, "portal-1280.png"), fullPage: true });

  // Switch language with the switcher, as a reader would.
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click('nav.langs a[hreflang="es"]')]);
  report.pages.es = await page.evaluate(pageFacts);
  report.pages.es.episodes = await page.$$eval("ol.episodes h3 a", (as) => as.map((a) => a.textContent));

  // Open the newest episode's notes page and wait for the captions track to load.
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("ol.episodes h3 a")]);
  await page.waitForFunction(() => {
    const t = document.querySelector("audio#player track");
    return t && t.track && t.track.cues && t.track.cues.length > 0;
  }, null, { timeout: 15000 });
  report.pages.episode = await page.evaluate(pageFacts);

  // The transcript follows the playback position (simulated: no audio is played).
  report.follow = await page.evaluate(() => {
    const audio = document.getElementById("player");
    const lines = Array.from(document.querySelectorAll("#transcript li[data-start]"));
    const target = lines[lines.length - 1];
    const at = parseFloat(target.getAttribute("data-start")) + 0.1;
    Object.defineProperty(audio, "currentTime", { configurable: true, get: () => at, set: () => {} });
    audio.dispatchEvent(new Event("timeupdate"));
    return { active: lines.filter((li) => li.classList.contains("active")).map((li) => lines.indexOf(li)),
      expected: lines.length - 1 };
  });
  await page.screenshot({ path: path.join(shots, "episode-1280.png"), fullPage: true });

  await page.setViewportSize({ width: 360, height: 780 });
  report.pages.episode360 = await page.evaluate(pageFacts);
  await page.screenshot({ path: path.join(shots, "episode-360.png"), fullPage: true });
  await page.goto(base, { waitUntil: "load" });
  report.pages.root360 = await page.evaluate(pageFacts);
  await page.screenshot({ path: path.join(shots, "portal-360.png"), fullPage: true });
  return report;
});
