/**
 * An independent digest of a volume's bytes, made with python-openstackclient:
 * snapshot (forced, the volume is in use), a volume from the snapshot, then
 * `image create --volume` (Cinder's upload-to-image) and Glance's checksum of
 * the result. Everything made here is named `itest-bytes-…` and deleted again.
 *
 * Quirks: an attached volume cannot be uploaded directly (and detaching would
 * change what is being checked), hence the detour through a snapshot; the
 * polling uses the suite's REST session, as each osc call costs seconds.
 */
import { randomBytes } from "node:crypto";
import { osc, oscRun } from "./lab.js";
import { labSession, type LabSession } from "./lab-rest.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(s: LabSession, service: string, p: string, pick: (b: any) => any, wanted: string, what: string): Promise<any> {
  let last = "";
  for (let i = 0; i < 900; i++) {
    const body = await s.call(service, "GET", p);
    const r = pick(body);
    last = r.status;
    if (last === wanted) return r;
    if (/error|killed|deleted/.test(last)) break;
    await sleep(2000);
  }
  throw new Error(`${what} ended in ${last}, wanted ${wanted}`);
}

/** Glance's md5 and sha512 of the bytes of volume `volumeId` on `cloud`. */
export async function volumeDigest(cloud: string, volumeId: string): Promise<{ checksum: string; sha512: string; size: number }> {
  const s = await labSession(cloud);
  const tag = `itest-bytes-${randomBytes(3).toString("hex")}`;
  const made: { kind: "snapshot" | "volume" | "image"; id: string }[] = [];
  try {
    const snap = await osc(cloud, ["volume", "snapshot", "create", "--volume", volumeId, "--force", `${tag}-snap`]);
    made.push({ kind: "snapshot", id: snap.id });
    await waitFor(s, "volumev3", `/snapshots/${snap.id}`, (b) => b.snapshot, "available", `snapshot of ${volumeId}`);
    const vol = await osc(cloud, ["volume", "create", "--snapshot", snap.id, `${tag}-vol`]);
    made.push({ kind: "volume", id: vol.id });
    await waitFor(s, "volumev3", `/volumes/${vol.id}`, (b) => b.volume, "available", `volume from snapshot of ${volumeId}`);
    const img = await osc(cloud, ["image", "create", "--volume", vol.id, "--disk-format", "raw", "--container-format", "bare", `${tag}-img`]);
    const imageId: string = img.image_id ?? img.id;
    made.push({ kind: "image", id: imageId });
    const done = await waitFor(s, "image", `/v2/images/${imageId}`, (b) => b, "active", `image of ${volumeId}`);
    await waitFor(s, "volumev3", `/volumes/${vol.id}`, (b) => b.volume, "available", `volume ${vol.id} after upload`);
    const shown = await osc(cloud, ["image", "show", imageId]);
    return { checksum: shown.checksum, sha512: done.os_hash_value, size: shown.size };
  } finally {
    for (const m of made.reverse()) {
      if (m.kind === "image") await oscRun(cloud, ["image", "delete", m.id]).catch(() => undefined);
      if (m.kind === "volume") {
        await oscRun(cloud, ["volume", "delete", m.id]).catch(() => undefined);
        for (let i = 0; i < 120; i++) {
          if ((await s.call("volumev3", "GET", `/volumes/${m.id}`, undefined, [404]).catch(() => null))?.volume === undefined) break;
          await sleep(1000);
        }
      }
      if (m.kind === "snapshot") await oscRun(cloud, ["volume", "snapshot", "delete", m.id]).catch(() => undefined);
    }
  }
}
