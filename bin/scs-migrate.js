#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (npm run build).
import("../dist/cli.js").then((m) => m.main(process.argv)).catch((err) => {
  if (err && err.code === "ERR_MODULE_NOT_FOUND") {
    process.stderr.write("scs-migrate: not built yet; run `npm run build` first\n");
    process.exit(70);
  }
  throw err;
});
