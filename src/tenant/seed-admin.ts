/**
 * The parts of a tenant spec only a cloud administrator may create: the
 * project's quotas and private flavors shared with it. They need the admin
 * identity (`seed --admin-cloud`, or the simulator's `<name>-admin`); without
 * it, or when the cloud refuses it (403), each is skipped with a message and
 * the rest of the tenant is seeded.
 */
import * as admin from "../openstack/admin.js";
import * as bs from "../openstack/block-storage.js";
import * as compute from "../openstack/compute.js";
import * as net from "../openstack/network.js";
import { statusIs } from "../errors.js";
import { QUOTA_SERVICE, type QuotaService } from "./spec.js";
import type { SeedCtx } from "./seed-context.js";

const NEEDS_ADMIN = "needs the admin identity (seed --admin-cloud NAME)";

/** Sets the project's quotas, per service, before anything is created. */
export async function seedQuotas(sc: SeedCtx): Promise<void> {
  const quotas = sc.spec.quotas;
  if (!quotas || Object.keys(quotas).length === 0) return;
  if (!sc.admin) {
    sc.skip(`quotas: setting quotas ${NEEDS_ADMIN}`);
    return;
  }
  const by: Partial<Record<QuotaService, Record<string, number>>> = {};
  for (const [k, v] of Object.entries(quotas)) (by[QUOTA_SERVICE[k]!] ??= {})[k] = v;
  const a = sc.admin;
  const m = sc.cloud;
  const calls: Array<[QuotaService, (l: Record<string, number>) => Promise<void>, () => Promise<Record<string, { limit: number }>>]> = [
    ["compute", (l) => admin.updateComputeQuotas(a.compute, sc.pid, l), () => compute.getQuotaSet(m.compute, sc.pid)],
    ["volume", (l) => admin.updateVolumeQuotas(a.blockStorage, sc.pid, l), () => bs.getQuotaUsage(m.blockStorage, sc.pid)],
    ["network", (l) => admin.updateNetworkQuotas(a.network, sc.pid, l), () => net.getQuotaDetails(m.network, sc.pid)],
  ];
  for (const [svc, set, current] of calls) {
    const limits = by[svc];
    if (!limits) continue;
    const now = await current();
    if (Object.entries(limits).every(([k, v]) => now[k]?.limit === v)) {
      sc.reused(`quotas/${svc}`);
      continue;
    }
    try {
      await set(limits);
      sc.made(`quotas/${svc} (${Object.entries(limits).map(([k, v]) => `${k}=${v}`).join(", ")})`);
    } catch (err) {
      if (!statusIs(err, 403)) throw err;
      sc.skip(`quotas/${svc}: the cloud refused ${a.name} (403); ${NEEDS_ADMIN}`);
    }
  }
}

/** Creates the spec's private flavors with the admin identity and shares them with the project. */
export async function seedFlavors(sc: SeedCtx): Promise<void> {
  if (sc.spec.flavors.length === 0) return;
  const visible = await compute.listFlavors(sc.cloud.compute);
  const all = sc.admin ? await compute.listFlavors(sc.admin.compute) : [];
  for (const fs of sc.spec.flavors) {
    const have = visible.find((f) => f.name === fs.name);
    if (have) {
      sc.reused(`flavor/${fs.name}`);
      sc.r.flavors[fs.name] = have.id;
      continue;
    }
    if (!sc.admin) {
      sc.skip(`flavor/${fs.name}: a private flavor ${NEEDS_ADMIN}`);
      continue;
    }
    try {
      // Why reuse: a run interrupted after creating the flavor has not shared it yet.
      const flavor =
        all.find((f) => f.name === fs.name) ??
        (await admin.createFlavor(sc.admin.compute, {
          name: fs.name, vcpus: fs.vcpus, ram: fs.ram, disk: fs.disk, ephemeral: fs.ephemeral, swap: fs.swap, is_public: false,
          ...(fs.description ? { description: fs.description } : {}),
        }));
      if (Object.keys(fs.extra_specs).length > 0) await admin.setFlavorExtraSpecs(sc.admin.compute, flavor.id, fs.extra_specs);
      await admin.addFlavorAccess(sc.admin.compute, flavor.id, sc.pid).catch((err: unknown) => {
        if (!statusIs(err, 409)) throw err;
      });
      sc.r.flavors[fs.name] = flavor.id;
      sc.made(`flavor/${fs.name}`);
    } catch (err) {
      if (!statusIs(err, 403)) throw err;
      sc.skip(`flavor/${fs.name}: the cloud refused ${sc.admin.name} (403); ${NEEDS_ADMIN}`);
    }
  }
}
