/**
 * The embedded SCS cloud simulator: faithful-enough OpenStack (Keystone v3,
 * Nova, Neutron, Cinder v3, Glance v2) on 127.0.0.1 for the demo, the tests
 * and the benchmarks. Real clients (the tool's own client layer and
 * openstackclient) work against it unchanged.
 *
 * Usage: `const sim = await startSim({ clouds: [{ name: "simsrc" }, { name: "simdst" }] })`,
 * then write `sim.cloudsYaml()` to a file, or use `sim.cloud("simsrc").authUrl`
 * and its credentials directly; `await sim.close()` at the end.
 */
import { renderCloudsYaml } from "./clouds-yaml.js";
import { SimCloudImpl } from "./sim-cloud.js";
import type { SimCloud, SimCloudOptions, SimServer } from "./types.js";

export type { QuotaName, SimCloud, SimCloudOptions, SimObjectStorageOptions, SimDelays, SimFaults, SimFlavorSpec, SimImageSpec, SimServer, SimVolumeTypeSpec } from "./types.js";
export type { SimLbFlavorSpec, SimLoadBalancerOptions } from "./types.js";
export type { SimStore } from "./store/store.js";
export { MANDATORY_FLAVORS, UBUNTU_2404_PROPERTIES } from "./standard-content.js";
export { DEFAULT_QUOTAS } from "./store/store.js";

/** Starts one simulated cloud per option set, each on its own port. */
export async function startSim(opts: { clouds: SimCloudOptions[] }): Promise<SimServer> {
  const names = new Set<string>();
  for (const o of opts.clouds) {
    if (names.has(o.name)) throw new Error(`duplicate simulated cloud name ${o.name}`);
    names.add(o.name);
  }
  const clouds: SimCloudImpl[] = [];
  try {
    for (const o of opts.clouds) {
      const c = new SimCloudImpl(o);
      clouds.push(c);
      await c.listen();
    }
  } catch (err) {
    await Promise.all(clouds.map((c) => c.close()));
    throw err;
  }
  let closed = false;
  return {
    clouds,
    cloud(name: string): SimCloud {
      const c = clouds.find((x) => x.name === name);
      if (!c) throw new Error(`no simulated cloud named ${name}`);
      return c;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all(clouds.map((c) => c.close()));
    },
    cloudsYaml: (o) => renderCloudsYaml(clouds, o),
  };
}
