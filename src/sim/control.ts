/**
 * The simulator's own control endpoints, for steering a simulator that runs in
 * another process (child-process tests, `scs-migrate sim`). They need no
 * token and are never subject to faults.
 *
 * API: GET /_sim/state, GET/POST /_sim/faults, POST /_sim/expire-tokens,
 * GET /_sim/transitions (the status-change log, oldest first).
 *
 * Quirks: /_sim/state is a JSON dump of the store (Sets and Maps as arrays,
 * blob paths omitted), meant for assertions, not for clients of OpenStack.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CloudContext } from "./cloud-context.js";
import { readText } from "./core/http.js";
import type { SimFaults } from "./types.js";

function reply(res: ServerResponse, status: number, body?: unknown): void {
  const payload = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(payload)) });
  res.end(payload);
}

function plain(v: unknown): unknown {
  if (v instanceof Set) return [...v].map(plain);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), plain(x)]));
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === "blob" || k === "root_blob") out[k] = x ? { size: (x as { size: number }).size, md5: (x as { md5: string }).md5 } : null;
      else out[k] = plain(x);
    }
    return out;
  }
  return v;
}

/** A JSON-able snapshot of the cloud's state. */
export function stateDump(cloud: CloudContext): Record<string, unknown> {
  const s = cloud.store;
  const table = <T>(t: Map<string, T>) => [...t.values()].map(plain);
  return {
    name: cloud.name,
    projectId: s.identity.projectId,
    faults: cloud.faults.get(),
    pendingTransitions: cloud.scheduler.pending,
    blobs: cloud.blobs.count,
    servers: table(s.servers), flavors: table(s.flavors), keypairs: table(s.keypairs), serverGroups: table(s.serverGroups),
    networks: table(s.networks), subnets: table(s.subnets), ports: table(s.ports), routers: table(s.routers),
    securityGroups: table(s.securityGroups), securityGroupRules: table(s.securityGroupRules), floatingIps: table(s.floatingIps),
    volumes: table(s.volumes), snapshots: table(s.snapshots), volumeTypes: table(s.volumeTypes), images: table(s.images),
    loadBalancers: table(s.octavia.loadBalancers), lbListeners: table(s.octavia.listeners), lbPools: table(s.octavia.pools),
    lbMembers: table(s.octavia.members), lbHealthMonitors: table(s.octavia.healthMonitors), lbL7Policies: table(s.octavia.l7policies),
    lbL7Rules: table(s.octavia.l7rules), lbEvents: s.octavia.events.map(plain),
    buckets: [...s.objects.buckets.values()].map((b) => ({ name: b.name, projectId: b.projectId, objects: b.objects.size, bytes: [...b.objects.values()].reduce((n, o) => n + o.size, 0) })),
    multipartUploads: s.objects.uploads.size,
  };
}

/** Handles a /_sim/* request; `setFaults` applies a new fault set. */
export async function control(cloud: CloudContext, setFaults: (f: SimFaults) => void, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    if (path === "/_sim/state" && req.method === "GET") return reply(res, 200, stateDump(cloud));
    if (path === "/_sim/faults" && req.method === "GET") return reply(res, 200, cloud.faults.get());
    if (path === "/_sim/transitions" && req.method === "GET") return reply(res, 200, { transitions: cloud.store.transitions.entries });
    if (path === "/_sim/faults" && req.method === "POST") {
      const text = await readText(req);
      const f = (text.trim() ? JSON.parse(text) : {}) as SimFaults;
      setFaults(f);
      return reply(res, 200, cloud.faults.get());
    }
    if (path === "/_sim/expire-tokens" && req.method === "POST") {
      for (const t of cloud.store.tokens.values()) t.expiresAt = 0;
      return reply(res, 204);
    }
    reply(res, 404, { error: `unknown control endpoint ${req.method} ${path}` });
  } catch (err) {
    reply(res, 400, { error: String(err) });
  }
}
