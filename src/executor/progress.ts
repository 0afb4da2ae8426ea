/**
 * Progress of a run, three ways: progress bars on a TTY (cli-progress: one bar
 * for the steps, one per running transfer with bytes, rate and ETA), plain log
 * lines otherwise, and JSON event lines (`--json`) for machines.
 */
import cliProgress from "cli-progress";
import { redact } from "../log.js";
import { fmtBytes } from "../util/format.js";

export type ProgressEvent =
  | { type: "run-start"; runId: number; total: number; done: number; skipped?: number; operation: string }
  | { type: "step-start"; step: string; attempt: number }
  | { type: "step-done"; step: string; outcome: string; targetId: string | null; ms: number }
  | { type: "step-failed"; step: string; error: string }
  | { type: "step-blocked"; step: string; because: string }
  | { type: "step-retry"; step: string; attempt: number; error: string }
  | { type: "transfer-start"; step: string; id: string; label: string; bytesTotal: number | null }
  | { type: "transfer-progress"; step: string; id: string; bytesDone: number; bytesTotal: number | null }
  | { type: "transfer-done"; step: string; id: string; bytes: number; ms: number }
  | { type: "warning"; step: string | null; message: string }
  | { type: "run-end"; runId: number; status: string; counts: Record<string, number>; ms: number };

export interface ProgressReporter {
  emit(e: ProgressEvent): void;
  close(): void;
}

/** JSON event lines on stdout. */
export class JsonProgress implements ProgressReporter {
  emit(e: ProgressEvent): void {
    // Why: byte progress can be thousands of events; machines want start/end, not every chunk.
    if (e.type === "transfer-progress") return;
    process.stdout.write(redact(JSON.stringify({ ts: new Date().toISOString(), ...e })) + "\n");
  }
  close(): void {}
}

/** Plain lines on stderr, one per step outcome and per transfer. */
export class LineProgress implements ProgressReporter {
  private total = 0;
  private finished = 0;
  constructor(private readonly write: (line: string) => void = (l) => process.stderr.write(redact(l) + "\n")) {}
  emit(e: ProgressEvent): void {
    switch (e.type) {
      case "run-start":
        this.total = e.total;
        this.finished = e.done + (e.skipped ?? 0);
        this.write(`Run ${e.runId} (${e.operation}): ${e.total} steps, ${e.done} already done${e.skipped ? `, ${e.skipped} skipped by the plan` : ""}`);
        break;
      case "step-done":
        this.finished++;
        this.write(`[${this.finished}/${this.total}] ${e.step}: ${e.outcome}${e.targetId ? ` (${e.targetId})` : ""} in ${(e.ms / 1000).toFixed(1)}s`);
        break;
      case "step-failed":
        this.finished++;
        this.write(`[${this.finished}/${this.total}] ${e.step}: FAILED: ${e.error}`);
        break;
      case "step-blocked":
        this.finished++;
        this.write(`[${this.finished}/${this.total}] ${e.step}: blocked (${e.because})`);
        break;
      case "step-retry":
        this.write(`${e.step}: attempt ${e.attempt} failed (${e.error}); retrying`);
        break;
      case "transfer-done":
        this.write(`${e.step}: copied ${fmtBytes(e.bytes)} in ${(e.ms / 1000).toFixed(1)}s (${((e.bytes / 1e6) / Math.max(e.ms / 1000, 0.001)).toFixed(1)} MB/s)`);
        break;
      case "warning":
        this.write(`WARN: ${e.step ? `${e.step}: ` : ""}${e.message}`);
        break;
      case "run-end":
        this.write(`Run ${e.runId} ${e.status} in ${(e.ms / 1000).toFixed(1)}s: ${Object.entries(e.counts).map(([k, v]) => `${v} ${k}`).join(", ")}`);
        break;
      default:
        break;
    }
  }
  close(): void {}
}

/** Progress bars on a TTY. */
export class BarProgress implements ProgressReporter {
  private readonly multi: cliProgress.MultiBar;
  private overall: cliProgress.SingleBar | undefined;
  private readonly bars = new Map<string, { bar: cliProgress.SingleBar; start: number }>();
  private done = 0;

  constructor() {
    this.multi = new cliProgress.MultiBar(
      {
        clearOnComplete: false,
        hideCursor: true,
        format: " {label} |{bar}| {value}/{total} {detail}",
        barsize: 28,
        etaBuffer: 50,
        stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  emit(e: ProgressEvent): void {
    switch (e.type) {
      case "run-start":
        this.done = e.done + (e.skipped ?? 0);
        this.overall = this.multi.create(e.total, this.done, { label: "steps".padEnd(28), detail: "" });
        break;
      case "step-start":
        this.overall?.update(this.done, { detail: e.step });
        break;
      case "step-done":
      case "step-failed":
      case "step-blocked":
        this.done++;
        this.overall?.update(this.done, { detail: e.type === "step-done" ? e.step : `${e.step} ${e.type === "step-failed" ? "FAILED" : "blocked"}` });
        if (e.type === "step-failed") this.multi.log(redact(`${e.step}: FAILED: ${e.error}`) + "\n");
        break;
      case "transfer-start": {
        const total = Math.max(1, Math.round((e.bytesTotal ?? 0) / 1048576));
        const bar = this.multi.create(total, 0, { label: e.label.slice(0, 28).padEnd(28), detail: "MiB" });
        this.bars.set(e.id, { bar, start: Date.now() });
        break;
      }
      case "transfer-progress": {
        const b = this.bars.get(e.id);
        if (!b) break;
        const secs = Math.max((Date.now() - b.start) / 1000, 0.001);
        const rate = e.bytesDone / 1e6 / secs;
        const eta = e.bytesTotal && rate > 0 ? Math.max(0, (e.bytesTotal - e.bytesDone) / 1e6 / rate) : null;
        b.bar.update(Math.round(e.bytesDone / 1048576), {
          detail: `MiB ${rate.toFixed(1)} MB/s${eta === null ? "" : ` ETA ${eta.toFixed(0)}s`}`,
        });
        break;
      }
      case "transfer-done": {
        const b = this.bars.get(e.id);
        if (b) {
          b.bar.update(b.bar.getTotal(), { detail: `MiB done (${((e.bytes / 1e6) / Math.max(e.ms / 1000, 0.001)).toFixed(1)} MB/s)` });
          b.bar.stop();
        }
        break;
      }
      case "warning":
        this.multi.log(redact(`WARN: ${e.step ? `${e.step}: ` : ""}${e.message}`) + "\n");
        break;
      case "run-end":
        this.overall?.update(this.done, { detail: e.status });
        break;
      default:
        break;
    }
  }

  close(): void {
    this.multi.stop();
  }
}

/** Picks the reporter for this output: JSON when asked, bars on a TTY, lines otherwise. */
export function makeReporter(opts: { json?: boolean; quiet?: boolean }): ProgressReporter {
  if (opts.json) return new JsonProgress();
  if (opts.quiet) return { emit: () => {}, close: () => {} };
  if (process.stderr.isTTY && !process.env.CI) return new BarProgress();
  return new LineProgress();
}
