/**
 * Writes the three report files into a migration folder: report.md,
 * report.html and report.json (the model itself, for tooling). Each file is
 * written to a temporary name and renamed, so a reader (a CI artefact upload,
 * a browser reloading the page) never sees half a report.
 *
 * `writeMigrationReport` is the one way a migration's report is made: the
 * `report` command, apply and verify, the drill and the demo all call it, so
 * the old → new floating-IP table, the bytes copied and the verify outcome
 * they show or print come from the same model.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { files } from "../executor/migration-dir.js";
import { openMigration } from "../executor/open.js";
import { localFileError } from "../errors.js";
import { redact } from "../log.js";
import { renderHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import { buildReportModel, type ReportModel } from "./model.js";

/** The paths `writeReport` wrote. */
export interface ReportPaths {
  markdown: string;
  html: string;
  json: string;
}

/** Writes owner-only via a temporary file; a failed write (disk full) leaves no temporary behind. */
function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw localFileError(err, path) ?? err;
  }
}

/** Renders the model and writes report.md, report.html and report.json into `dir`. */
export function writeReport(dir: string, model: ReportModel): ReportPaths {
  const paths: ReportPaths = { markdown: join(dir, "report.md"), html: join(dir, "report.html"), json: join(dir, "report.json") };
  writeAtomic(paths.markdown, renderMarkdown(model));
  writeAtomic(paths.html, renderHtml(model));
  writeAtomic(paths.json, redact(JSON.stringify(model, null, 2)) + "\n");
  return paths;
}

/**
 * Builds the report of the migration in `dir` (or of that name) from its plan,
 * state and last verify (verify.json), writes the files and returns the model
 * with their paths.
 */
export async function writeMigrationReport(dir: string, now = new Date()): Promise<{ model: ReportModel; paths: ReportPaths }> {
  const m = await openMigration(dir);
  try {
    const verifyFile = files(m.dir).verify;
    const verify = existsSync(verifyFile) ? JSON.parse(readFileSync(verifyFile, "utf8")) : undefined;
    const model = buildReportModel({ plan: m.plan, state: m.state, ...(verify ? { verify } : {}), now });
    return { model, paths: writeReport(m.dir, model) };
  } finally {
    m.close();
  }
}
