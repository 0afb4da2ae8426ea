/**
 * Writes the three report files into a migration folder: report.md,
 * report.html and report.json (the model itself, for tooling). Each file is
 * written to a temporary name and renamed, so a reader (a CI artefact upload,
 * a browser reloading the page) never sees half a report.
 */
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { redact } from "../log.js";
import { renderHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import type { ReportModel } from "./model.js";

/** The paths `writeReport` wrote. */
export interface ReportPaths {
  markdown: string;
  html: string;
  json: string;
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, path);
}

/** Renders the model and writes report.md, report.html and report.json into `dir`. */
export function writeReport(dir: string, model: ReportModel): ReportPaths {
  const paths: ReportPaths = { markdown: join(dir, "report.md"), html: join(dir, "report.html"), json: join(dir, "report.json") };
  writeAtomic(paths.markdown, renderMarkdown(model));
  writeAtomic(paths.html, renderHtml(model));
  writeAtomic(paths.json, redact(JSON.stringify(model, null, 2)) + "\n");
  return paths;
}
