/**
 * Cleanup of a volume export's temporaries must tolerate what Cinder is
 * already deleting: a second delete of a snapshot in "deleting" is a 400, and
 * once made `verify --deep` report volumes as "could not be checked".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupExport, exportNames } from "../../src/movers/volume-export.js";
import * as bs from "../../src/openstack/block-storage.js";
import type { OpenStackCloud } from "../../src/openstack/cloud.js";
import { FAST_DELAYS, startSimEnv, type SimEnv } from "../helpers/sim-env.js";

let e: SimEnv;
let cloud: OpenStackCloud;
const wait = { minDelay: 5, maxDelay: 20, timeoutMs: 10_000 };

beforeAll(async () => {
  // Slow deletions keep the temporaries in "deleting" while cleanup runs.
  e = await startSimEnv({ src: { delays: { ...FAST_DELAYS, volumeDelete: 1500 } } });
  cloud = await e.connect("src");
});
afterAll(async () => {
  cloud?.close();
  await e?.close();
});

describe("cleanupExport", () => {
  it("passes over a snapshot and a volume that are already being deleted, and removes the rest", async () => {
    const names = exportNames("m1", "volume/data", "verify-src");
    const b = cloud.blockStorage;
    const vol = await bs.createVolume(b, { name: "data", size: 1 });
    await bs.waitForVolume(b, vol.id, "available", wait);
    const snap = await bs.createSnapshot(b, { volume_id: vol.id, name: names.snapshot, force: true });
    await bs.waitForSnapshot(b, snap.id, "available", wait);
    const tmp = await bs.createVolume(b, { name: names.volume, size: 1, snapshot_id: snap.id });
    await bs.waitForVolume(b, tmp.id, "available", wait);
    await bs.deleteVolume(b, tmp.id);
    await bs.waitForVolumeDeleted(b, tmp.id, wait);
    await bs.deleteSnapshot(b, snap.id);
    // A second snapshot of the same name that nobody is deleting yet.
    const left = await bs.createSnapshot(b, { volume_id: vol.id, name: names.snapshot, force: true });
    await bs.waitForSnapshot(b, left.id, "available", wait);
    expect((await bs.listSnapshots(b, { name: names.snapshot })).map((s) => s.status).sort()).toEqual(["available", "deleting"]);

    await expect(cleanupExport(cloud, "m1", "volume/data", "verify-src")).resolves.toBeUndefined();
    const after = await bs.listSnapshots(b, { name: names.snapshot });
    expect(after.every((s) => s.status === "deleting"), JSON.stringify(after)).toBe(true);
  });
});
