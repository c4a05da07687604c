// The portal on a slow connection, in Debian's chromium (headless, through playwright-core) at 360 px:
// which file the player holds, what is fetched before and after play, the data-saver switch and
// its memory, time links, and the page without JavaScript. Prints what it saw as JSON.
// Before each step it asks the server for /__step/<name> (a 404 in the server's log), so the test
// can also count audio requests on the server's side, step by step.
// Usage: node data_saver.js BASE_URL PAGE_PATH SCREENSHOT_DIR   (called by tests/test_slow_connection.py)
"use strict";
const path = require("path");
const { drive } = require("./chromium");

const [base, pagePath, shots] = process.argv.slice(2);
const VIEWPORT = { width: 360, height: 780 };
const AUDIO = /\.(mp3|opus|ogg|m4a)(\?|#|$)/;

function playerFacts() {
  const audio = document.getElementById("player");
  const now = document.getElementById("quality-now");
  const toggle = document.getElementById("quality-switch");
  let stored = null;
  try { stored = window.localStorage.getItem("learninglab-quality"); } catch (e) { stored = "unavailable"; }
  return {
    src: audio.getAttribute("src"), currentSrc: audio.currentSrc, preload: audio.preload,
    networkState: audio.networkState, readyState: audio.readyState, paused: audio.paused,
    currentTime: audio.currentTime,
    now: now ? now.textContent.trim() : null, nowVisible: !!(now && now.offsetParent),
    toggle: toggle ? toggle.textContent.trim() : null, toggleHref: toggle ? toggle.getAttribute("href") : null,
    toggleVisible: !!(toggle && toggle.offsetParent), stored,
    overflow: document.documentElement.scrollWidth - window.innerWidth,
  };
}

// Play for a moment, as a listener pressing play would (autoplay is allowed for the test), then pause.
async function playAMoment(page) {
  await page.evaluate(() => document.getElementById("player").play());
  await page.waitForFunction(() => document.getElementById("player").currentTime > 0.3, null,
    { timeout: 15000 });
  await page.evaluate(() => document.getElementById("player").pause());
}

drive(async (browser) => {
  const report = { steps: {}, audioRequests: {}, errors: [] };
  let step = "load";
  const url = base + pagePath;
  async function mark(context, name) {
    step = name;
    report.audioRequests[name] = report.audioRequests[name] || [];
    await context.request.get(base + "__step/" + name).catch(() => {});
  }
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  page.on("request", (request) => {
    if (AUDIO.test(request.url())) report.audioRequests[step].push(request.url());
  });
  page.on("pageerror", (error) => report.errors.push(String(error)));

  // 1. Open the page and let it settle (captions loaded, network idle): no audio byte yet.
  await mark(context, "load");
  await page.goto(url, { waitUntil: "networkidle" });
  await page.waitForFunction(() => {
    const t = document.querySelector("audio#player track");
    return t && t.track && t.track.cues && t.track.cues.length > 0;
  }, null, { timeout: 15000 });
  await page.waitForTimeout(1000);
  report.steps.load = await page.evaluate(playerFacts);
  await page.screenshot({ path: path.join(shots, "data-saver-360.png"), fullPage: false });

  // 2. Press play: now, and only now, the low-bitrate file is fetched.
  await mark(context, "play");
  await playAMoment(page);
  report.steps.play = await page.evaluate(playerFacts);

  // 3. A time link seeks the same file.
  await mark(context, "timelink");
  const target = await page.$$eval("#transcript a.t[data-t]", (as) => {
    const a = as[as.length - 1];
    return { t: parseFloat(a.getAttribute("data-t")), href: a.getAttribute("href") };
  });
  await page.click("#transcript li:last-child a.t");
  await page.waitForFunction((t) => {
    const audio = document.getElementById("player");
    return audio.currentTime >= t && !audio.paused;
  }, target.t, { timeout: 15000 });
  await page.evaluate(() => document.getElementById("player").pause());
  report.steps.timelink = { ...(await page.evaluate(playerFacts)), link: target };

  // 4. The switch: full quality, kept in the same place, nothing fetched until play.
  await mark(context, "switch");
  await page.click("#quality-switch");
  await page.waitForTimeout(1000);
  report.steps.switch = await page.evaluate(playerFacts);

  // 5. The choice is remembered: a fresh page opens on full quality, and still fetches nothing.
  await mark(context, "reload");
  await page.goto(url, { waitUntil: "networkidle" });
  await page.waitForTimeout(1000);
  report.steps.reload = await page.evaluate(playerFacts);

  // 6. Playing now fetches the full-quality file; switching back returns to the data saver.
  await mark(context, "playFull");
  await playAMoment(page);
  report.steps.playFull = await page.evaluate(playerFacts);
  await mark(context, "switchBack");
  await page.click("#quality-switch");
  report.steps.switchBack = await page.evaluate(playerFacts);
  await mark(context, "done");
  await context.close();

  // 7. Without JavaScript: the same default file, the switch is a plain link to the full file.
  const bare = await browser.newContext({ viewport: VIEWPORT, javaScriptEnabled: false });
  const plain = await bare.newPage();
  await mark(bare, "nojs");
  plain.on("request", (request) => {
    if (AUDIO.test(request.url())) report.audioRequests[step].push(request.url());
  });
  await plain.goto(url, { waitUntil: "networkidle" });
  await plain.waitForTimeout(1000);
  report.steps.nojs = await plain.evaluate(() => {
    const audio = document.getElementById("player");
    const toggle = document.getElementById("quality-switch");
    return { src: audio.getAttribute("src"), toggleHref: toggle.getAttribute("href"),
      toggle: toggle.textContent.trim(), scripted: document.documentElement.classList.contains("js"),
      sizes: Array.from(document.querySelectorAll("ul.downloads li")).map((li) => li.textContent.trim()),
      overflow: document.documentElement.scrollWidth - window.innerWidth };
  });
  await plain.screenshot({ path: path.join(shots, "data-saver-nojs-360.png"), fullPage: false });
  await mark(bare, "end");
  await bare.close();
  return report;
}, ["--autoplay-policy=no-user-gesture-required"]);
