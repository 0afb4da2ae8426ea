/**
 * Calls only a cloud administrator may make (Nova, Cinder and Neutron default
 * policies): creating flavors and sharing private ones with a project, and
 * setting a project's quotas. `seed` uses them with an admin identity; a
 * member gets 403 from each.
 *
 * API: POST /flavors, POST /flavors/{id}/os-extra_specs, POST
 * /flavors/{id}/action {addTenantAccess}; PUT /os-quota-sets/{project} (Nova,
 * and Cinder under the admin's own project URL); PUT /v2.0/quotas/{project}.
 * Reference: https://docs.openstack.org/api-ref/compute/#flavors,
 * https://docs.openstack.org/api-ref/block-storage/v3/#quota-sets-os-quota-sets,
 * https://docs.openstack.org/api-ref/network/v2/#quotas-extension-quotas
 */
import { z } from "zod";
import type { BlockStorageClient } from "./block-storage.js";
import type { ComputeClient, Flavor } from "./compute.js";
import { FlavorResponse } from "./compute.js";
import type { NetworkClient } from "./network.js";
import { call } from "./parse.js";

const enc = encodeURIComponent;
const Anything = z.unknown();

/** What a new flavor is made of (RAM MiB, disk GB). */
export interface CreateFlavorRequest {
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
  ephemeral?: number;
  swap?: number;
  is_public?: boolean;
  description?: string;
}

/** Creates a flavor (admin). */
export async function createFlavor(c: ComputeClient, req: CreateFlavorRequest): Promise<Flavor> {
  const flavor: Record<string, unknown> = {
    name: req.name,
    vcpus: req.vcpus,
    ram: req.ram,
    disk: req.disk,
    "os-flavor-access:is_public": req.is_public ?? true,
    ...(req.ephemeral ? { "OS-FLV-EXT-DATA:ephemeral": req.ephemeral } : {}),
    ...(req.swap ? { swap: req.swap } : {}),
    ...(req.description ? { description: req.description } : {}),
  };
  return (await call(c, FlavorResponse, { method: "POST", path: "/flavors", json: { flavor } })).body.flavor;
}

/** Adds extra specs to a flavor (admin). */
export async function setFlavorExtraSpecs(c: ComputeClient, flavorId: string, specs: Record<string, string>): Promise<void> {
  await call(c, Anything, { method: "POST", path: `/flavors/${enc(flavorId)}/os-extra_specs`, json: { extra_specs: specs } });
}

/** Gives a project access to a private flavor (admin). */
export async function addFlavorAccess(c: ComputeClient, flavorId: string, projectId: string): Promise<void> {
  await call(c, Anything, { method: "POST", path: `/flavors/${enc(flavorId)}/action`, json: { addTenantAccess: { tenant: projectId } } });
}

/** Sets a project's compute quotas (admin). */
export async function updateComputeQuotas(c: ComputeClient, projectId: string, limits: Record<string, number>): Promise<void> {
  await call(c, Anything, { method: "PUT", path: `/os-quota-sets/${enc(projectId)}`, json: { quota_set: limits } });
}

/** Sets a project's block-storage quotas (admin; the URL is under the admin's own project). */
export async function updateVolumeQuotas(c: BlockStorageClient, projectId: string, limits: Record<string, number>): Promise<void> {
  await call(c, Anything, { method: "PUT", path: `/os-quota-sets/${enc(projectId)}`, json: { quota_set: limits } });
}

/** Sets a project's network quotas (admin). */
export async function updateNetworkQuotas(c: NetworkClient, projectId: string, limits: Record<string, number>): Promise<void> {
  await call(c, Anything, { method: "PUT", path: `/v2.0/quotas/${enc(projectId)}`, json: { quota: limits } });
}
