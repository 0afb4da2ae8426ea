/**
 * Find-or-create for Neutron resources with markers that survive a crash at
 * any instant. Neutron (Zed) cannot set tags in the create call (no
 * `tag-creation` extension), so a resource is created with its marker in the
 * description, then tagged, then given its real description. A crash between
 * those calls leaves a resource findable by the description marker; the next
 * attempt adopts it and finishes the tagging.
 */
import * as net from "../openstack/network.js";
import type { ApplyContext } from "./types.js";
import { markerTags } from "./common.js";

/** The description a resource carries between its creation and its tagging. */
export function descriptionMarker(migration: string, sourceId: string): string {
  return `scs-migrate ${migration} ${sourceId} (creating)`;
}

interface Listed {
  id: string;
  tags: string[];
  description: string;
}

/** Finds the step's resource by tags, then by the description marker of an unfinished create. */
export async function findMarked<T extends Listed>(ctx: ApplyContext, list: (filters: Record<string, string>) => Promise<T[]>): Promise<T | null> {
  const sid = ctx.step.source.id;
  const tagged = await list({ tags: markerTags(ctx.migration, sid).join(",") });
  if (tagged[0]) return tagged[0];
  const half = await list({ description: descriptionMarker(ctx.migration, sid) });
  return half[0] ?? null;
}

/** Whether a found resource still needs its tags and real description. */
export function unfinished(r: Listed, ctx: ApplyContext): boolean {
  return r.description === descriptionMarker(ctx.migration, ctx.step.source.id) || !markerTags(ctx.migration, ctx.step.source.id).every((t) => r.tags.includes(t));
}

/** Tags a resource with the user's tags and the markers, and sets its real description. */
export async function finishMarked(
  ctx: ApplyContext,
  resource: net.TaggableResource,
  id: string,
  description: string,
  tags: string[],
  update: (id: string, body: Record<string, unknown>) => Promise<unknown>,
): Promise<void> {
  await net.replaceTags(ctx.target.network, resource, id, [...tags, ...markerTags(ctx.migration, ctx.step.source.id)]);
  await update(id, { description });
}

/**
 * The common find → adopt | create → finish sequence. `create` receives the
 * description to create with (the marker).
 */
export async function ensureMarked<T extends Listed>(
  ctx: ApplyContext,
  o: {
    resource: net.TaggableResource;
    list: (filters: Record<string, string>) => Promise<T[]>;
    create: (descriptionMarker: string) => Promise<T>;
    update: (id: string, body: Record<string, unknown>) => Promise<unknown>;
    description: string;
    tags: string[];
  },
): Promise<{ resource: T; outcome: "created"; resumed: boolean }> {
  const found = await findMarked(ctx, o.list);
  if (found) {
    // Our marker: an earlier attempt of this migration made it, so it counts as created (rollback removes it).
    if (unfinished(found, ctx)) await finishMarked(ctx, o.resource, found.id, o.description, o.tags, o.update);
    return { resource: found, outcome: "created", resumed: true };
  }
  const made = await o.create(descriptionMarker(ctx.migration, ctx.step.source.id));
  await finishMarked(ctx, o.resource, made.id, o.description, o.tags, o.update);
  return { resource: made, outcome: "created", resumed: false };
}
