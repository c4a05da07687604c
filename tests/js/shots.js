// Screenshots of the portal and one notes page per language at 360 px (headless chromium through
// playwright-core), and what a reader sees on them, as JSON.
// Usage: node shots.js BASE_URL SCREENSHOT_DIR PREFIX SLUG LANG...   (tests/test_demo_languages.py)
"use strict";
const path = require("path");
const { drive } = require("./chromium");

const [base, shots, prefix, slug, ...langs] = process.argv.slice(2);

function seen() {
  return {
    lang: document.documentElement.lang,
    text: document.body.innerText,
    labels: Array.from(document.querySelectorAll(".mt")).filter((e) => e.offsetParent !== null).length,
    overflow: document.documentElement.scrollWidth - window.innerWidth,
  };
}

drive(async (browser) => {
  const report = { pages: {}, requests: [] };
  const context = await browser.newContext({ viewport: { width: 360, height: 780 } });
  const page = await context.newPage();
  page.on("request", (request) => report.requests.push(request.url()));
  page.on("pageerror", (error) => { report.errors = (report.errors || []).concat(String(error)); });
  for (const lang of langs) {
    for (const [name, url] of [["portal", `${base}${lang}/index.html`], ["notes", `${base}${lang}/${slug}/index.html`]]) {
      await page.goto(url, { waitUntil: "load" });
      report.pages[`${lang}-${name}`] = await page.evaluate(seen);
      await page.screenshot({ path: path.join(shots, `${prefix}-${lang}-${name}-360.png`), fullPage: true });
    }
  }
  return report;
});
