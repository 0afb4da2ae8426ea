/**
 * Child processes of the benchmarks. Measured work runs in a child so that
 * its peak RSS is its own and not the simulator's (which runs in the parent):
 *
 * - `runWorker` starts a TypeScript worker of bench/workers/ under tsx; the
 *   worker prints one `BENCH_RESULT <json>` line that includes its own
 *   `process.resourceUsage().maxRSS`.
 * - `runCommand` times an external program (the built CLI, openstackclient)
 *   and reads its peak RSS from GNU time's `%M` when /usr/bin/time exists.
 *
 * Quirk: wall time of `runCommand` is measured around the spawn, so it
 * includes process start-up, as a user at a shell would see it.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** The repository root (bench/lib/ is two levels down). */
export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");

const RESULT_TAG = "BENCH_RESULT ";
const GNU_TIME = "/usr/bin/time";

/** What a worker reports: its own figures plus its peak RSS. */
export type WorkerResult<T> = T & { maxRssKiB: number };

/** Runs bench/workers/<name>.ts with `input` and returns what it reported; throws with its stderr when it fails. */
export async function runWorker<T>(name: string, input: unknown, opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<WorkerResult<T>> {
  const file = path.join(REPO_ROOT, "bench", "workers", `${name}.ts`);
  const { code, stdout, stderr, signal } = await spawnCollect(process.execPath, ["--import", "tsx", file], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...opts.env, BENCH_INPUT: JSON.stringify(input) },
    timeoutMs: opts.timeoutMs ?? 30 * 60_000,
    captureStdout: true,
  });
  const line = stdout.split("\n").find((l) => l.startsWith(RESULT_TAG));
  if (code !== 0 || !line) {
    throw new Error(`worker ${name} failed (${signal ? `signal ${signal}` : `exit ${code}`}): ${stderr.trim().split("\n").slice(-15).join("\n")}`);
  }
  return JSON.parse(line.slice(RESULT_TAG.length)) as WorkerResult<T>;
}

/** The input a worker was started with (parsed from BENCH_INPUT). */
export function workerInput<T>(): T {
  const raw = process.env.BENCH_INPUT;
  if (!raw) throw new Error("BENCH_INPUT is not set: workers are started by bench/run.ts");
  return JSON.parse(raw) as T;
}

/** Runs a worker's body and prints its result line (with peak RSS); any failure exits 1 with the error on stderr. */
export function workerMain<T extends object>(body: () => Promise<T>): void {
  body().then(
    (r) => {
      const out = { ...r, maxRssKiB: process.resourceUsage().maxRSS };
      process.stdout.write(`${RESULT_TAG}${JSON.stringify(out)}\n`, () => process.exit(0));
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}

/** Outcome of a timed external command. */
export interface CommandResult {
  code: number | null;
  ms: number;
  /** Peak RSS in KiB (null without GNU time). */
  maxRssKiB: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program, discarding stdout unless asked, and measures wall time and peak RSS. */
export async function runCommand(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; captureStdout?: boolean } = {},
): Promise<CommandResult> {
  const useTime = existsSync(GNU_TIME);
  const dir = useTime ? mkdtempSync(path.join(tmpdir(), "scs-bench-time-")) : undefined;
  const timeFile = dir ? path.join(dir, "rss") : undefined;
  try {
    const argv = timeFile ? [GNU_TIME, "-f", "%M", "-o", timeFile, cmd, ...args] : [cmd, ...args];
    const t0 = performance.now();
    const r = await spawnCollect(argv[0]!, argv.slice(1), {
      cwd: opts.cwd ?? REPO_ROOT,
      env: opts.env ?? process.env,
      timeoutMs: opts.timeoutMs ?? 30 * 60_000,
      captureStdout: opts.captureStdout ?? false,
    });
    const ms = performance.now() - t0;
    let maxRssKiB: number | null = null;
    if (timeFile && existsSync(timeFile)) {
      const m = /(\d+)\s*$/.exec(readFileSync(timeFile, "utf8").trim());
      if (m) maxRssKiB = Number(m[1]);
    }
    return { code: r.code, ms, maxRssKiB, stdout: r.stdout, stderr: r.stderr };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

interface Collected {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function spawnCollect(cmd: string, args: string[], o: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; captureStdout: boolean }): Promise<Collected> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: o.cwd, env: o.env, stdio: ["ignore", o.captureStdout ? "pipe" : "ignore", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let errSize = 0;
    child.stdout?.on("data", (b: Buffer) => out.push(b));
    child.stderr?.on("data", (b: Buffer) => {
      // Keep the tail only: a chatty child must not grow the parent.
      err.push(b);
      errSize += b.length;
      while (errSize > 1 << 20 && err.length > 1) errSize -= err.shift()!.length;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), o.timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
    });
  });
}
