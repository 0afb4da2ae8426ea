import { describe, expect, it } from "vitest";
import type { VolumeType } from "../../../src/model/inventory.js";
import { mapVolumeType, parseScsAspects } from "../../../src/mapping/volume-type.js";
import { aVolumeType } from "./builders.js";

describe("parseScsAspects", () => {
  it.each<[string | null, string[] | null]>([
    ["[scs:encrypted, replicated] Content is replicated three times; LUKS is used.", ["encrypted", "replicated"]],
    ["[scs:encrypted] This volume uses LUKS-encryption", ["encrypted"]],
    ["[scs:replicated]", ["replicated"]],
    ["[scs:replicated, encrypted] wrong order still states the intent", ["encrypted", "replicated"]],
    ["[scs:encrypted, encrypted]", ["encrypted"]],
    ["  [scs: Encrypted ] padded", ["encrypted"]],
    ["[scs:]", []],
    ["LUKS volumes [scs:encrypted]", null],
    ["[SCS:encrypted]", null],
    ["[scs:encrypted", null],
    ["", null],
    [null, null],
  ])("%j → %j", (description, aspects) => {
    expect(parseScsAspects(description)).toEqual(aspects);
  });
});

describe("mapVolumeType", () => {
  const src: VolumeType[] = [
    aVolumeType("ceph-luks", "[scs:encrypted, replicated] LUKS on Ceph"),
    aVolumeType("encrypted-only", "[scs:encrypted]"),
    aVolumeType("ssd", "fast"),
    aVolumeType("__default__", "Default Volume Type"),
  ];
  const tgt: VolumeType[] = [
    aVolumeType("__default__", "Default Volume Type"),
    aVolumeType("rbd", "[scs:replicated] Ceph"),
    aVolumeType("rbd-luks-extra", "[scs:encrypted, fast, replicated]"),
    aVolumeType("rbd-luks", "[scs:encrypted, replicated] Ceph with LUKS"),
    aVolumeType("ssd", "local"),
  ];

  it.each<[string, string | null, VolumeType[], Record<string, string>, { target: string; basis: string; lost: string[] }]>([
    ["aspects: fewest extra aspects wins", "ceph-luks", tgt, {}, { target: "rbd-luks", basis: "scs-aspects", lost: [] }],
    [
      "aspects: the same name wins among qualifying types",
      "ceph-luks",
      [...tgt, aVolumeType("ceph-luks", "[scs:encrypted, fast, replicated]")],
      {},
      { target: "ceph-luks", basis: "scs-aspects", lost: [] },
    ],
    ["aspects: a superset qualifies", "encrypted-only", tgt, {}, { target: "rbd-luks", basis: "scs-aspects", lost: [] }],
    [
      "no type with the aspects: default, aspects reported lost",
      "ceph-luks",
      [aVolumeType("__default__"), aVolumeType("rbd", "[scs:replicated]")],
      {},
      { target: "__default__", basis: "target-default", lost: ["encrypted", "replicated"] },
    ],
    [
      "no type with the aspects: same name, aspects reported lost",
      "encrypted-only",
      [aVolumeType("__default__"), aVolumeType("encrypted-only", "plain")],
      {},
      { target: "encrypted-only", basis: "same-name", lost: ["encrypted"] },
    ],
    ["no aspects: same name", "ssd", tgt, {}, { target: "ssd", basis: "same-name", lost: [] }],
    ["no aspects, no same name: __default__", "ssd", tgt.filter((t) => t.name !== "ssd"), {}, { target: "__default__", basis: "target-default", lost: [] }],
    ["unknown source type: __default__", "gold", tgt.filter((t) => t.name !== "ssd"), {}, { target: "__default__", basis: "target-default", lost: [] }],
    ["source without a type: __default__", null, tgt, {}, { target: "__default__", basis: "target-default", lost: [] }],
    ["source type given by id", "id-ceph-luks", tgt, {}, { target: "rbd-luks", basis: "scs-aspects", lost: [] }],
    ["the only type when there is no __default__", "ssd", [aVolumeType("standard")], {}, { target: "standard", basis: "target-default", lost: [] }],
    ["override wins over aspects", "ceph-luks", tgt, { "ceph-luks": "ssd" }, { target: "ssd", basis: "override", lost: ["encrypted", "replicated"] }],
  ])("%s", (_label, srcName, targets, overrides, want) => {
    const r = mapVolumeType(srcName, src, targets, overrides);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (r.ok) expect({ target: r.targetType.name, basis: r.basis, lost: r.lostAspects }).toEqual(want);
  });

  it("prefers the type the target marks default over __default__", () => {
    const r = mapVolumeType("ssd", src, tgt.filter((t) => t.name !== "ssd"), {}, { targetDefaultType: "rbd" });
    expect(r.ok && [r.targetType.name, r.basis]).toEqual(["rbd", "target-default"]);
  });

  it("an override naming a missing type is an error", () => {
    const r = mapVolumeType("ssd", src, tgt, { ssd: "platinum" });
    expect(r).toEqual({ ok: false, reason: "volume type ssd: the mapping file maps it to platinum, which does not exist on the target" });
  });

  it("fails with the list of types when nothing matches and there is no default", () => {
    const r = mapVolumeType("ssd", src, [aVolumeType("b"), aVolumeType("a")], {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe("volume type ssd: no target type matches and the target has no default type (types: a, b); set volumeTypes in the mapping file");
  });

  it("names lost aspects in the note", () => {
    const r = mapVolumeType("encrypted-only", src, [aVolumeType("__default__")], {});
    expect(r.ok && r.note).toBe("the target's __default__ type; __default__ does not declare encrypted");
  });
});
