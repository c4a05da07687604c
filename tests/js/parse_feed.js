// Parse a podcast RSS feed with podcast-partytime and print what it found as JSON.
// Usage: node parse_feed.js FEED.xml   (the tests call this; see tests/test_feeds.py)
"use strict";
const fs = require("fs");
process.env.PARTYTIME_LOG = process.env.PARTYTIME_LOG || "silent";
const pt = require("podcast-partytime");

const xml = fs.readFileSync(process.argv[2], "utf8");
const feed = pt.parseFeed(xml, { allowMissingGuid: false });
if (!feed) {
  console.error("podcast-partytime could not parse " + process.argv[2]);
  process.exit(2);
}
process.stdout.write(JSON.stringify(feed, null, 1));
