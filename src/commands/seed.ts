/** `scs-migrate seed --cloud NAME [--admin-cloud NAME] SPEC`: creates a tenant spec's resources in a cloud. */
import { out } from "../log.js";
import type { OpenStackCloud } from "../openstack/cloud.js";
import { loadTenantSpec } from "../tenant/spec.js";
import { seedTenant } from "../tenant/seed.js";
import { cloudName, connectCloud } from "../executor/connect.js";

export async function run(specPath: string, opts: { cloud?: string; pollMs?: number; adminCloud?: string }): Promise<number> {
  const spec = loadTenantSpec(specPath);
  const cloud = await connectCloud(cloudName(opts.cloud));
  let admin: OpenStackCloud | undefined;
  try {
    if (opts.adminCloud) admin = await connectCloud(opts.adminCloud);
    const t0 = Date.now();
    const r = await seedTenant(cloud, spec, { ...(opts.pollMs ? { pollMs: opts.pollMs } : {}), ...(admin ? { admin } : {}) });
    out(`Seeded tenant "${spec.name}" into ${cloud.name} (project ${cloud.projectName ?? cloud.projectId}): ${r.created} created, ${r.reused} reused in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    for (const [server, ip] of Object.entries(r.floatingIps)) out(`  floating IP of ${server}: ${ip}`);
    for (const s of r.skipped) out(`  skipped ${s}`);
    return 0;
  } finally {
    cloud.close();
    admin?.close();
  }
}
