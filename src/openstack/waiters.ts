/**
 * Waiting for a resource to reach a status, in the shape of openstacksdk's
 * `wait_for_status`: poll `get()` with a delay that grows from `minDelay` to
 * `maxDelay`, return the resource on a success status, stop early on a
 * terminal failure status, give up at `timeoutMs`, and stop at once when the
 * signal aborts.
 *
 * Terminal statuses by default: ERROR/error, killed (Glance), and every
 * `error_*` status (Cinder's error_deleting, error_restoring,
 * error_extending, …). Statuses compare case-insensitively, since Nova says
 * ACTIVE and Cinder says available. Transient API errors (5xx, resets) while
 * polling are tolerated; other errors end the wait.
 */
import { WaitError, isRetryable, statusIs } from "../errors.js";
import { log } from "../log.js";

/** Options of one wait. */
export interface WaitOptions<T> {
  /** Statuses that end the wait successfully. */
  success: readonly string[];
  /** Extra statuses that end the wait with a failure (the defaults always apply). */
  failure?: readonly string[];
  /** Give up after this long. Default 30 min. */
  timeoutMs?: number;
  /** First delay between polls in ms. Default 1 s. */
  minDelay?: number;
  /** Largest delay between polls in ms. Default 15 s. */
  maxDelay?: number;
  signal?: AbortSignal;
  /** The status of a resource; default its `status` field. */
  statusOf?: (resource: T) => string | null | undefined;
  /** Names the resource in messages, e.g. "server/3f2a…". */
  what?: string;
  /** Extra words for a failure message (e.g. a server's fault). */
  detailOf?: (resource: T) => string | null | undefined;
  /** Called when the status changes (progress display). */
  onStatus?: (status: string, resource: T) => void;
}

/** Statuses that end any wait with a failure. */
export const TERMINAL_STATUSES: readonly string[] = ["error", "killed", "error_deleting"];

function isTerminal(status: string, extra: readonly string[]): boolean {
  const s = status.toLowerCase();
  return TERMINAL_STATUSES.includes(s) || s.startsWith("error") || extra.some((f) => f.toLowerCase() === s);
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function defaultStatus(r: unknown): string | undefined {
  if (r && typeof r === "object" && "status" in r) {
    const s = (r as { status?: unknown }).status;
    return typeof s === "string" ? s : undefined;
  }
  return undefined;
}

/** Polls `get` until the resource reaches a success status; throws WaitError on a terminal status or timeout. */
export async function waitFor<T>(get: () => Promise<T>, opts: WaitOptions<T>): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30 * 60_000;
  const minDelay = Math.max(1, opts.minDelay ?? 1000);
  const maxDelay = Math.max(minDelay, opts.maxDelay ?? 15_000);
  const statusOf = opts.statusOf ?? defaultStatus;
  const what = opts.what ?? "resource";
  const success = opts.success.map((s) => s.toLowerCase());
  const deadline = Date.now() + timeoutMs;
  let delay = minDelay;
  let lastStatus: string | undefined;

  for (;;) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    let resource: T | undefined;
    try {
      resource = await get();
    } catch (err) {
      if (!isRetryable(err)) throw err;
      log.debug(`Polling ${what} failed; trying again`, { error: err instanceof Error ? err.message : String(err) });
    }
    if (resource !== undefined) {
      const status = statusOf(resource) ?? "";
      if (status !== lastStatus) {
        lastStatus = status;
        opts.onStatus?.(status, resource);
      }
      if (success.includes(status.toLowerCase())) return resource;
      if (isTerminal(status, opts.failure ?? [])) {
        const detail = opts.detailOf?.(resource);
        throw new WaitError(
          `${what} went to ${status} (waiting for ${opts.success.join("/")})${detail ? `: ${detail}` : ""}`,
          what,
          status,
          "terminal",
        );
      }
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new WaitError(
        `${what} is still ${lastStatus || "unknown"} after ${Math.round(timeoutMs / 1000)} s (waiting for ${opts.success.join("/")})`,
        what,
        lastStatus,
        "timeout",
      );
    }
    await sleep(Math.min(delay, left), opts.signal);
    delay = Math.min(maxDelay, Math.ceil(delay * 1.5));
  }
}

/** Options of a wait for deletion (no success statuses: a 404 is success). */
export type WaitDeletedOptions<T> = Omit<WaitOptions<T>, "success"> & {
  /** Statuses that also count as gone (default DELETED/deleted). */
  goneStatuses?: readonly string[];
};

/** Polls `get` until it answers 404 (or a gone status); throws WaitError on a terminal status or timeout. */
export async function waitForDeleted<T>(get: () => Promise<T>, opts: WaitDeletedOptions<T> = {}): Promise<void> {
  const GONE = Symbol("gone");
  const gone = opts.goneStatuses ?? ["DELETED", "deleted", "SOFT_DELETED"];
  const statusOf = opts.statusOf ?? defaultStatus;
  await waitFor<T | typeof GONE>(
    async () => {
      try {
        return await get();
      } catch (err) {
        if (statusIs(err, 404)) return GONE;
        throw err;
      }
    },
    {
      ...opts,
      success: ["__gone__", ...gone],
      statusOf: (r) => (r === GONE ? "__gone__" : statusOf(r)),
      detailOf: (r) => (r === GONE ? undefined : opts.detailOf?.(r)),
      onStatus: (s, r) => {
        if (r !== GONE) opts.onStatus?.(s, r);
      },
    },
  );
}
