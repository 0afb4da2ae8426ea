/**
 * The simulated Nova under `/compute`: the route table.
 *
 * API: GET /compute/ and /compute/v2.1 (version documents, no token);
 * servers (+ detail, action, os-volume_attachments, os-interface, ips, tags,
 * metadata), flavors (+ os-extra_specs, os-flavor-access), os-keypairs,
 * os-server-groups, limits, os-quota-sets (PUT for the admin), os-availability-zone.
 *
 * Quirks: every reply carries the microversion echo headers and
 * `x-compute-request-id` next to `x-openstack-request-id`, as Nova does.
 */
import type { CloudContext, SimService } from "../cloud-context.js";
import { novaError } from "../core/errors.js";
import { Router, readJson } from "../core/http.js";
import { negotiateCompute } from "../core/microversion.js";
import { computeV21, computeVersions } from "../versions.js";
import { createExtraSpecs, createFlavor, deleteFlavor, flavorAction } from "./flavor-manage.js";
import { flavorAccess, flavorExtraSpecs, listFlavors, showFlavor } from "./flavors.js";
import { createKeypair, deleteKeypair, listKeypairs, showKeypair } from "./keypairs.js";
import { availabilityZones, availabilityZonesDetail, limits, quotaSet, updateQuotaSet } from "./limits.js";
import { attachInterface, attachVolume, detachInterface, detachVolume, listAttachments, listInterfaces, serverAction, serverIps, showAttachment } from "./server-actions.js";
import { createServerGroup, deleteServerGroup, listServerGroups, showServerGroup } from "./server-groups.js";
import { serverMetadata, serverTags } from "./server-meta.js";
import { createServer, deleteServer, listServers, showServer, updateServer } from "./servers.js";

/** Builds the compute service of a cloud. */
export function computeService(cloud: CloudContext): SimService {
  const r = new Router();
  const V = "/v2.1";
  r.add("GET", "", () => computeVersions(cloud.baseUrl), { auth: false, bare: true });
  r.add("GET", V, () => computeV21(cloud.baseUrl), { auth: false });

  r.add("GET", `${V}/servers`, (ctx) => listServers(cloud, ctx, false));
  r.add("GET", `${V}/servers/detail`, (ctx) => listServers(cloud, ctx, true));
  r.add("POST", `${V}/servers`, (ctx) => createServer(cloud, ctx));
  r.add("GET", `${V}/servers/:id`, (ctx) => showServer(cloud, ctx));
  r.add("PUT", `${V}/servers/:id`, (ctx) => updateServer(cloud, ctx));
  r.add("DELETE", `${V}/servers/:id`, (ctx) => deleteServer(cloud, ctx));
  r.add("POST", `${V}/servers/:id/action`, (ctx) => serverAction(cloud, ctx));
  r.add("GET", `${V}/servers/:id/os-volume_attachments`, (ctx) => listAttachments(cloud, ctx));
  r.add("POST", `${V}/servers/:id/os-volume_attachments`, (ctx) => attachVolume(cloud, ctx));
  r.add("GET", `${V}/servers/:id/os-volume_attachments/:vol`, (ctx) => showAttachment(cloud, ctx));
  r.add("DELETE", `${V}/servers/:id/os-volume_attachments/:vol`, (ctx) => detachVolume(cloud, ctx));
  r.add("GET", `${V}/servers/:id/os-interface`, (ctx) => listInterfaces(cloud, ctx));
  r.add("GET", `${V}/servers/:id/os-interface/:port`, (ctx) => listInterfaces(cloud, ctx));
  r.add("POST", `${V}/servers/:id/os-interface`, (ctx) => attachInterface(cloud, ctx));
  r.add("DELETE", `${V}/servers/:id/os-interface/:port`, (ctx) => detachInterface(cloud, ctx));
  r.add("GET", `${V}/servers/:id/ips`, (ctx) => serverIps(cloud, ctx));
  r.add("GET", `${V}/servers/:id/ips/:net`, (ctx) => serverIps(cloud, ctx));
  for (const m of ["GET", "PUT", "DELETE"]) {
    r.add(m, `${V}/servers/:id/tags`, (ctx) => serverTags(cloud, ctx, false));
    r.add(m, `${V}/servers/:id/tags/:tag`, (ctx) => serverTags(cloud, ctx, true));
  }
  for (const m of ["GET", "POST", "PUT"]) r.add(m, `${V}/servers/:id/metadata`, (ctx) => serverMetadata(cloud, ctx, false));
  for (const m of ["GET", "PUT", "DELETE"]) r.add(m, `${V}/servers/:id/metadata/:key`, (ctx) => serverMetadata(cloud, ctx, true));

  r.add("GET", `${V}/flavors`, (ctx) => listFlavors(cloud, ctx, false));
  r.add("GET", `${V}/flavors/detail`, (ctx) => listFlavors(cloud, ctx, true));
  r.add("POST", `${V}/flavors`, (ctx) => createFlavor(cloud, ctx));
  r.add("GET", `${V}/flavors/:id`, (ctx) => showFlavor(cloud, ctx));
  r.add("DELETE", `${V}/flavors/:id`, (ctx) => deleteFlavor(cloud, ctx));
  r.add("POST", `${V}/flavors/:id/os-extra_specs`, (ctx) => createExtraSpecs(cloud, ctx));
  r.add("POST", `${V}/flavors/:id/action`, (ctx) => flavorAction(cloud, ctx));
  r.add("GET", `${V}/flavors/:id/os-extra_specs`, (ctx) => flavorExtraSpecs(cloud, ctx));
  r.add("GET", `${V}/flavors/:id/os-extra_specs/:key`, (ctx) => flavorExtraSpecs(cloud, ctx));
  r.add("GET", `${V}/flavors/:id/os-flavor-access`, (ctx) => flavorAccess(cloud, ctx));

  r.add("GET", `${V}/os-keypairs`, (ctx) => listKeypairs(cloud, ctx));
  r.add("POST", `${V}/os-keypairs`, (ctx) => createKeypair(cloud, ctx));
  r.add("GET", `${V}/os-keypairs/:name`, (ctx) => showKeypair(cloud, ctx));
  r.add("DELETE", `${V}/os-keypairs/:name`, (ctx) => deleteKeypair(cloud, ctx));

  r.add("GET", `${V}/os-server-groups`, (ctx) => listServerGroups(cloud, ctx));
  r.add("POST", `${V}/os-server-groups`, (ctx) => createServerGroup(cloud, ctx));
  r.add("GET", `${V}/os-server-groups/:id`, (ctx) => showServerGroup(cloud, ctx));
  r.add("DELETE", `${V}/os-server-groups/:id`, (ctx) => deleteServerGroup(cloud, ctx));

  r.add("GET", `${V}/limits`, (ctx) => limits(cloud, ctx));
  r.add("GET", `${V}/os-quota-sets/:pid`, (ctx) => quotaSet(cloud, ctx, "show"));
  r.add("PUT", `${V}/os-quota-sets/:pid`, async (ctx) => updateQuotaSet(cloud, ctx, await readJson(ctx, (m) => novaError(400, m))));
  r.add("GET", `${V}/os-quota-sets/:pid/detail`, (ctx) => quotaSet(cloud, ctx, "detail"));
  r.add("GET", `${V}/os-quota-sets/:pid/defaults`, (ctx) => quotaSet(cloud, ctx, "defaults"));
  r.add("GET", `${V}/os-availability-zone`, () => availabilityZones());
  r.add("GET", `${V}/os-availability-zone/detail`, () => availabilityZonesDetail());

  return {
    kind: "compute",
    prefix: "/compute",
    router: r,
    decorate: (ctx) => {
      ctx.respHeaders["X-Compute-Request-Id"] = ctx.requestId;
    },
    prepare: negotiateCompute,
  };
}
