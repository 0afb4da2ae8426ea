/** Writing a migration's report files (report.md, report.html, report.json) from its plan and state. */
import { existsSync, readFileSync } from "node:fs";
import { StateStore } from "../executor/state.js";
import { readPlan } from "../plan/io.js";
import { buildReportModel } from "../report/model.js";
import { writeReport } from "../report/write.js";
import { files } from "../executor/migration-dir.js";

/** Builds and writes the report of the migration in `dir`; returns the file paths. */
export function writeMigrationReport(dir: string): { markdown: string; html: string; json: string } {
  const f = files(dir);
  const plan = readPlan(f.plan);
  const state = StateStore.open(f.state);
  try {
    const verify = existsSync(f.verify) ? JSON.parse(readFileSync(f.verify, "utf8")) : undefined;
    const model = buildReportModel({ plan, state, ...(verify ? { verify } : {}), now: new Date() });
    return writeReport(dir, model);
  } finally {
    state.close();
  }
}
