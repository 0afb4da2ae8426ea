/**
 * The inventory collector: reads every resource of the connected project and
 * normalises it into the model of `model/inventory.ts`, with references
 * between resources as source ids. No decisions are taken here.
 *
 * What to list and how to normalise it is each kind's own business (its
 * `collection`, see `src/kinds/`); this runner starts every collector of the
 * registry at once and shares list calls between them (`once`), so there are
 * no per-server calls and a 2,000-server inventory stays at a few dozen
 * requests. Relations come from the lists themselves: a server's ports are
 * the ports whose device_id is the server, its volumes come from Cinder's
 * attachments, a router's interfaces from its `network:router_interface*`
 * ports.
 */
import type { OpenStackCloud } from "../openstack/cloud.js";
import { statusIs } from "../errors.js";
import { COLLECTORS, OPTIONAL_SERVICES } from "../kinds/index.js";
import type { CollectContext } from "../kinds/types.js";
import { log } from "../log.js";
import { INVENTORY_FORMAT_VERSION, Inventory } from "../model/inventory.js";

/** A collect context over one cloud: shared calls run once, optional ones tolerate 403/404/501. */
export function collectContext(cloud: OpenStackCloud): CollectContext {
  const calls = new Map<string, Promise<unknown>>();
  return {
    cloud,
    once<T>(key: string, fn: () => Promise<T>): Promise<T> {
      let p = calls.get(key);
      if (!p) calls.set(key, (p = fn()));
      return p as Promise<T>;
    },
    async optional<T>(what: string, fn: () => Promise<T>, fallback: T): Promise<T> {
      try {
        return await fn();
      } catch (err) {
        if (statusIs(err, 403, 404, 501)) {
          log.debug(`Inventory: ${what} not available (${(err as Error).message})`);
          return fallback;
        }
        throw err;
      }
    },
  };
}

const byId = (a: { id: string }, x: { id: string }) => (a.id < x.id ? -1 : a.id > x.id ? 1 : 0);

/** Collects the whole project of a connected cloud. */
export async function collectInventory(cloud: OpenStackCloud, opts: { now?: () => Date } = {}): Promise<Inventory> {
  const cx = collectContext(cloud);
  const results = await Promise.all(COLLECTORS.map(async (c) => [c, await c.collect(cx)] as const));
  const inv: Record<string, unknown> = {
    meta: {
      formatVersion: INVENTORY_FORMAT_VERSION,
      cloud: cloud.name,
      region: cloud.region,
      project_id: cloud.projectId,
      project_name: cloud.projectName,
      auth_url: cloud.authUrl,
      collectedAt: (opts.now ?? (() => new Date()))().toISOString(),
      microversions: { ...cloud.microversions },
      // Why: a plan must tell "the target has no Octavia" from "the target has no load balancers".
      services: OPTIONAL_SERVICES.filter((svc) => cloud.has(svc)),
    },
  };
  for (const [c, items] of results) {
    // Sorting makes two inventories of the same project identical whatever order the APIs use.
    if (Array.isArray(items) && !c.keepOrder) (items as { id: string }[]).sort(byId);
    inv[c.name] = items;
  }
  return Inventory.parse(inv);
}
