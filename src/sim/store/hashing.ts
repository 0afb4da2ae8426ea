/**
 * md5 + sha512 of an upload, computed in parallel on two worker threads while
 * the main thread only moves bytes. Glance must return both digests after an
 * upload, and on one thread they cap uploads at about 150 MB/s; split across
 * workers the cap roughly doubles.
 *
 * Quirks: chunks are copied once into a pool of SharedArrayBuffer slots that
 * both workers read without further copies; a slot is reused when both have
 * acknowledged it, which is also the back-pressure (at most POOL MiB in
 * flight per upload). The workers are shared by every cloud of the process
 * and unref'd, so they never keep the process alive; they are terminated when
 * the last cloud closes. Small uploads are hashed in-thread, where a worker
 * round trip would cost more than it saves.
 */
import { createHash, type Hash } from "node:crypto";
import { Worker } from "node:worker_threads";

const SLOT = 1 << 20;
const POOL = 16;

const WORKER_CODE = `
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const jobs = new Map();
parentPort.on("message", (m) => {
  if (m.t === "start") jobs.set(m.id, createHash(m.alg));
  else if (m.t === "data") {
    const h = jobs.get(m.id);
    if (h) h.update(new Uint8Array(m.sab, 0, m.len));
    parentPort.postMessage({ t: "ack", id: m.id, slot: m.slot });
  } else if (m.t === "end") {
    const h = jobs.get(m.id);
    jobs.delete(m.id);
    parentPort.postMessage({ t: "done", id: m.id, hex: h ? h.digest("hex") : "" });
  } else if (m.t === "abort") jobs.delete(m.id);
});
`;

type Msg = { t: "ack"; id: number; slot: number } | { t: "done"; id: number; hex: string };

class HashWorker {
  private readonly w: Worker;
  private readonly listeners = new Map<number, (m: Msg) => void>();
  constructor() {
    this.w = new Worker(WORKER_CODE, { eval: true });
    this.w.on("message", (m: Msg) => this.listeners.get(m.id)?.(m));
    // Why after the listener: adding a "message" listener refs the worker's port again.
    this.w.unref();
  }
  listen(id: number, fn: (m: Msg) => void): void {
    this.listeners.set(id, fn);
  }
  forget(id: number): void {
    this.listeners.delete(id);
  }
  post(m: unknown): void {
    this.w.postMessage(m);
  }
  terminate(): Promise<number> {
    return this.w.terminate();
  }
}

let workers: [HashWorker, HashWorker] | undefined;
let nextId = 1;
let users = 0;

/** Registers a user of the shared workers (a simulated cloud, for its lifetime). */
export function retainHashWorkers(): void {
  users++;
}

/** Drops a user; the last one terminates the workers so nothing outlives the clouds. */
export async function releaseHashWorkers(): Promise<void> {
  users = Math.max(0, users - 1);
  if (users > 0 || !workers) return;
  const ws = workers;
  workers = undefined;
  await Promise.all(ws.map((w) => w.terminate()));
}

/** Incremental md5 + sha512. */
export interface DualHasher {
  /** Feeds a chunk; resolves when the chunk may be forgotten (back-pressure). */
  update(chunk: Buffer): Promise<void> | void;
  /** Finishes and returns both hex digests. */
  digest(): Promise<{ md5: string; sha512: string }>;
  /** Drops the job (aborted upload). */
  abort(): void;
}

class InlineHasher implements DualHasher {
  private readonly md5: Hash = createHash("md5");
  private readonly sha: Hash = createHash("sha512");
  update(chunk: Buffer): void {
    this.md5.update(chunk);
    this.sha.update(chunk);
  }
  digest(): Promise<{ md5: string; sha512: string }> {
    return Promise.resolve({ md5: this.md5.digest("hex"), sha512: this.sha.digest("hex") });
  }
  abort(): void {}
}

class ParallelHasher implements DualHasher {
  private readonly id = nextId++;
  private readonly slots: SharedArrayBuffer[] = [];
  private readonly acks: number[] = [];
  private free: number[] = [];
  private waiting: (() => void) | undefined;
  private cur = -1;
  private curLen = 0;
  private results: Array<string | undefined> = [undefined, undefined];
  private resolveDone: (() => void) | undefined;

  constructor(private readonly ws: [HashWorker, HashWorker]) {
    ws.forEach((w, i) => {
      w.post({ t: "start", id: this.id, alg: i === 0 ? "md5" : "sha512" });
      w.listen(this.id, (m) => {
        if (m.t === "ack") {
          if (--this.acks[m.slot]! === 0) {
            this.free.push(m.slot);
            const go = this.waiting;
            this.waiting = undefined;
            go?.();
          }
        } else {
          this.results[i] = m.hex;
          if (this.results.every((x) => x !== undefined)) this.resolveDone?.();
        }
      });
    });
  }

  private takeSlot(): Promise<void> | void {
    if (this.free.length === 0 && this.slots.length < POOL) {
      this.slots.push(new SharedArrayBuffer(SLOT));
      this.acks.push(0);
      this.free.push(this.slots.length - 1);
    }
    if (this.free.length > 0) {
      this.cur = this.free.pop()!;
      this.curLen = 0;
      return;
    }
    return new Promise<void>((resolve) => {
      this.waiting = () => {
        this.cur = this.free.pop()!;
        this.curLen = 0;
        resolve();
      };
    });
  }

  private flush(): void {
    if (this.cur < 0 || this.curLen === 0) return;
    this.acks[this.cur] = 2;
    for (const w of this.ws) w.post({ t: "data", id: this.id, sab: this.slots[this.cur], len: this.curLen, slot: this.cur });
    this.cur = -1;
    this.curLen = 0;
  }

  async update(chunk: Buffer): Promise<void> {
    let off = 0;
    while (off < chunk.length) {
      if (this.cur < 0) await this.takeSlot();
      const view = new Uint8Array(this.slots[this.cur]!);
      const n = Math.min(SLOT - this.curLen, chunk.length - off);
      view.set(chunk.subarray(off, off + n), this.curLen);
      this.curLen += n;
      off += n;
      if (this.curLen === SLOT) this.flush();
    }
  }

  async digest(): Promise<{ md5: string; sha512: string }> {
    this.flush();
    const done = new Promise<void>((r) => (this.resolveDone = r));
    for (const w of this.ws) w.post({ t: "end", id: this.id });
    await done;
    for (const w of this.ws) w.forget(this.id);
    return { md5: this.results[0]!, sha512: this.results[1]! };
  }

  abort(): void {
    for (const w of this.ws) {
      w.post({ t: "abort", id: this.id });
      w.forget(this.id);
    }
  }
}

/** A hasher for an upload of `expected` bytes (unknown: -1). */
export function dualHasher(expected: number): DualHasher {
  if (expected >= 0 && expected < 8 * SLOT) return new InlineHasher();
  workers ??= [new HashWorker(), new HashWorker()];
  return new ParallelHasher(workers);
}
