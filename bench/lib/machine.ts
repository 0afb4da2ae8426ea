/**
 * Facts about the run that a figure is meaningless without: the commit (with
 * `-dirty` when the working tree differs from it), Node version, CPU model,
 * cores and RAM. Read once per run and stored in the results JSON.
 */
import { execFileSync } from "node:child_process";
import os from "node:os";

/** Where and on what a benchmark run happened. */
export interface MachineInfo {
  commit: string;
  node: string;
  platform: string;
  cpu: string;
  cores: number;
  ramGiB: number;
}

function git(args: string[], cwd: string): string | undefined {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

/** The short commit hash of `cwd`, with `-dirty` when tracked files differ from it ("unknown" outside git). */
export function commitOf(cwd: string): string {
  const head = git(["rev-parse", "--short", "HEAD"], cwd);
  if (!head) return "unknown";
  // Read-only: `status --porcelain` lists changes without touching the index or the tree.
  const dirty = (git(["status", "--porcelain", "--untracked-files=no"], cwd) ?? "") !== "";
  return dirty ? `${head}-dirty` : head;
}

/** Commit, Node version and hardware of this run. */
export function machineInfo(cwd: string): MachineInfo {
  const cpus = os.cpus();
  return {
    commit: commitOf(cwd),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: os.availableParallelism?.() ?? cpus.length,
    ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
  };
}
