// What the browser scripts share: Debian's chromium, headless and offline, and one JSON report
// on standard output (an error: its stack on standard error, exit code 1).
"use strict";
const { chromium } = require("playwright-core");

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

function report(work) {
  (async () => {
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
      args: FLAGS });
    let found;
    try {
      found = await work(browser);
    } finally {
      await browser.close();
    }
    process.stdout.write(JSON.stringify(found));
  })().catch((error) => {
    console.error(error && error.stack ? error.stack : String(error));
    process.exit(1);
  });
}

module.exports = { report };
