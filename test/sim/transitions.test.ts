/**
 * The simulator's status-change log: what tests read instead of polling for
 * short-lived states, over the store and over /_sim/transitions.
 */
import { describe, expect, it } from "vitest";
import { TransitionLog } from "../../src/sim/store/transitions.js";
import { Table } from "../../src/sim/store/table.js";
import { FAST, api, token, useSim, waitFor } from "./helpers.js";

describe("transition log", () => {
  it("logs creation, every change, removal, and nothing after removal", () => {
    const log = new TransitionLog();
    const t = new Table<{ id: string; status: string }>().trackTransitions(log, "volume");
    const rec = { id: "v1", status: "creating" };
    t.set("v1", rec);
    rec.status = "creating";
    Object.assign(rec, { status: "available" });
    expect(JSON.parse(JSON.stringify(rec))).toEqual({ id: "v1", status: "available" });
    expect({ ...rec }).toEqual({ id: "v1", status: "available" });
    t.delete("v1");
    rec.status = "deleted";
    expect(log.path("volume", "v1")).toEqual(["creating", "available", null]);
    expect(log.entries.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it("resolves `when` for past or only later changes", async () => {
    const log = new TransitionLog();
    const t = new Table<{ status: string }>().trackTransitions(log, "image");
    const rec = { status: "queued" };
    t.set("i1", rec);
    await expect(log.when((e) => e.to === "queued")).resolves.toMatchObject({ id: "i1", from: null });
    const later = log.when((e) => e.to === "queued", { after: log.mark, ms: 2000 });
    t.set("i2", { status: "queued" });
    await expect(later).resolves.toMatchObject({ id: "i2" });
    await expect(log.when(() => false, { ms: 10 })).rejects.toThrow(/no matching transition/);
  });

  it("serves a cloud's log on /_sim/transitions", async () => {
    const sim = await useSim([{ name: "trsim", delays: FAST }]);
    const c = sim.cloud("trsim");
    const call = api(c, await token(c), { "OpenStack-API-Version": "volume 3.60" });
    const id = (await call("POST", "/volume/v3/{project}/volumes", { volume: { size: 1 } })).body.volume.id;
    await waitFor(async () => (await call("GET", `/volume/v3/{project}/volumes/${id}`)).body.volume.status, (s) => s === "available");
    const body = (await (await fetch(`${c.baseUrl}/_sim/transitions`)).json()) as { transitions: Array<{ resource: string; id: string; to: string }> };
    expect(body.transitions.filter((e) => e.id === id).map((e) => e.to)).toEqual(["creating", "available"]);
  });
});
