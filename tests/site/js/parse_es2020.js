// Parses each file given on the command line as an ES2020 script with acorn
// (npm, pinned in package-lock.json): one line per file that does not parse,
// "file:line:column: message". Exit status 1 when any did not.
"use strict";
const fs = require("fs");
const path = require("path");
const acorn = require(path.join(__dirname, "..", "..", "..", "node_modules", "acorn"));

let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    acorn.parse(fs.readFileSync(file, "utf8"), { ecmaVersion: 2020, sourceType: "script", locations: true });
  } catch (e) {
    failed += 1;
    const where = e.loc ? `${e.loc.line}:${e.loc.column + 1}` : "?";
    console.log(`${file}:${where}: ${e.message.replace(/ \(\d+:\d+\)$/, "")}`);
  }
}
process.exit(failed ? 1 : 0);
