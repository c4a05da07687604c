// Shared by the browser scripts: launch Debian's chromium headless (through playwright-core), run
// `body(browser)`, print the report it returns as JSON, and exit 1 with the stack on any error.
"use strict";
const { chromium } = require("playwright-core");

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

function drive(body, extraFlags = []) {
  (async () => {
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
      args: FLAGS.concat(extraFlags) });
    let report;
    try {
      report = await body(browser);
    } finally {
      await browser.close();
    }
    process.stdout.write(JSON.stringify(report));
  })().catch((error) => {
    console.error(error && error.stack ? error.stack : String(error));
    process.exit(1);
  });
}

module.exports = { drive };
