/**
 * Test helpers for the simulator suites: start clouds, get tokens, call the
 * APIs with plain fetch (never the tool's client layer), and wait for
 * asynchronous status transitions.
 */
import { afterAll } from "vitest";
import { startSim, type SimCloud, type SimCloudOptions, type SimServer } from "../../src/sim/index.js";

/** Fast transitions for tests that only need the end state. */
export const FAST = { serverBuild: 20, serverDelete: 10, serverAction: 10, serverImage: 5, volumeCreate: 10, volumeDownload: 10, volumeDelete: 10, volumeAttach: 10, imageSave: 5 };

/** Starts clouds for a test file and closes them after it. */
export async function useSim(clouds: SimCloudOptions[]): Promise<SimServer> {
  const sim = await startSim({ clouds });
  afterAll(() => sim.close());
  return sim;
}

/** A password token for the cloud (project-scoped). */
export async function token(c: SimCloud): Promise<string> {
  const r = await fetch(`${c.authUrl}/auth/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      auth: {
        identity: { methods: ["password"], password: { user: { name: c.username, domain: { name: c.userDomain }, password: c.password } } },
        scope: { project: { name: c.projectName, domain: { name: c.projectDomain } } },
      },
    }),
  });
  if (r.status !== 201) throw new Error(`auth failed: ${r.status} ${await r.text()}`);
  return r.headers.get("x-subject-token")!;
}

/** A parsed API response. */
export interface Res<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** An API caller bound to a cloud and token. */
export type Api = <T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Res<T>>;

/** Builds an API caller; paths are relative to the cloud's base URL (`/compute/v2.1/…`). */
export function api(c: SimCloud, tok: string, defaults: Record<string, string> = {}): Api {
  return async (method, path, body, headers = {}) => {
    const r = await fetch(c.baseUrl + path.replace("{project}", c.projectId), {
      method,
      headers: { "x-auth-token": tok, ...(body !== undefined ? { "content-type": "application/json" } : {}), ...defaults, ...headers },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await r.text();
    let parsed: any = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: r.status, headers: r.headers, body: parsed, text };
  };
}

/** Polls `get` until `done` holds (or fails after `ms`), recording every distinct value seen. */
export async function waitFor<T>(get: () => Promise<T>, done: (v: T) => boolean, ms = 5000): Promise<{ value: T; seen: T[] }> {
  const seen: T[] = [];
  const t0 = Date.now();
  for (;;) {
    const v = await get();
    if (seen.length === 0 || JSON.stringify(seen[seen.length - 1]) !== JSON.stringify(v)) seen.push(v);
    if (done(v)) return { value: v, seen };
    if (Date.now() - t0 > ms) throw new Error(`timed out; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 3));
  }
}

/** A fetch response body as loosely typed JSON (tests assert its shape). */
export function json(r: Response): Promise<any> {
  return r.json();
}

/** Compute and volume microversions most clients send. */
export const MV = { "OpenStack-API-Version": "compute 2.79, volume 3.60" };
