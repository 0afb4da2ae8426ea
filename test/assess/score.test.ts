import { describe, expect, it } from "vitest";
import { assessPortability } from "../../src/assess/assess.js";
import { deductionsFor, gradeOf, scoreOf } from "../../src/assess/score.js";
import { CHECKS, type CheckId, type Finding, type Grade, type Severity } from "../../src/assess/types.js";
import type { Inventory } from "../../src/model/inventory.js";
import { aFloatingIp, aVolume } from "../helpers/builders.js";
import { compliantInventory, serverWithFlavor } from "./builders.js";

const f = (id: CheckId, severity: Severity, n = 0): Finding => ({
  id,
  severity,
  category: CHECKS[id].category,
  resource: `x/${n}`,
  message: "m",
  fix: "f",
});
const many = (id: CheckId, severity: Severity, n: number) => Array.from({ length: n }, (_, i) => f(id, severity, i));

describe("deductions per check", () => {
  it.each<[string, Finding[], { points: number; raw: number; cap: number }]>([
    ["one major", [f("volume-multiattach", "major")], { points: 10, raw: 10, cap: 25 }],
    ["two majors", many("volume-multiattach", "major", 2), { points: 20, raw: 20, cap: 25 }],
    ["three majors hit the major cap", many("volume-multiattach", "major", 3), { points: 25, raw: 30, cap: 25 }],
    ["four minors", many("floating-ip", "minor", 4), { points: 8, raw: 8, cap: 8 }],
    ["twenty minors stay at the minor cap", many("floating-ip", "minor", 20), { points: 8, raw: 40, cap: 8 }],
    ["a check's cap follows its worst finding", [...many("flavor-not-scs", "minor", 5), f("flavor-not-scs", "major", 9)], { points: 20, raw: 20, cap: 25 }],
    ["blockers", many("flavor-scs-other", "blocker", 3), { points: 60, raw: 90, cap: 60 }],
    ["info costs nothing", many("server-config-drive", "info", 7), { points: 0, raw: 0, cap: 0 }],
  ])("%s", (_label, findings, expected) => {
    const d = deductionsFor(findings);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ ...expected, findings: findings.length });
  });

  it("caps each check separately and floors the score at 0", () => {
    const d = deductionsFor([...many("floating-ip", "minor", 30), ...many("volume-multiattach", "major", 30)]);
    expect(d.map((x) => [x.id, x.points])).toEqual([
      ["floating-ip", 8],
      ["volume-multiattach", 25],
    ]);
    expect(scoreOf(d)).toBe(67);
    expect(scoreOf(deductionsFor(many("flavor-scs-other", "blocker", 9).concat(many("network-shared-foreign", "blocker", 9))))).toBe(0);
  });
});

describe("grades", () => {
  it.each<[number, Severity[], Grade]>([
    [100, [], "A"],
    [90, [], "A"],
    [89, [], "B"],
    [75, [], "B"],
    [74, [], "C"],
    [60, [], "C"],
    [59, [], "D"],
    [40, [], "D"],
    [39, [], "E"],
    [98, ["minor", "info"], "A"],
    [90, ["major"], "B"],
    [70, ["major"], "C"],
    [70, ["blocker"], "D"],
    [20, ["blocker"], "E"],
  ])("score %i with %j → %s", (score, severities, grade) => {
    expect(gradeOf(score, severities.map((severity) => ({ severity })))).toBe(grade);
  });
});

describe("the score of whole projects", () => {
  it.each<[string, (inv: Inventory) => void, { score: number; grade: Grade; category: keyof ReturnType<typeof assessPortability>["categories"]; categoryScore: number }]>([
    [
      "one odd flavor used by 50 servers costs one major finding",
      (inv) => {
        for (let i = 0; i < 50; i++) inv.servers.push(serverWithFlavor(`n${i}`, { name: "m1.odd", vcpus: 2, ramMiB: 6144, disk: 0 }));
      },
      { score: 90, grade: "B", category: "compute", categoryScore: 90 },
    ],
    [
      "twenty floating IPs cost the minor cap",
      (inv) => {
        for (let i = 0; i < 20; i++) inv.floating_ips.push(aFloatingIp({ floating_network_id: "net-public", floating_ip_address: `198.51.100.${i}` }));
      },
      { score: 92, grade: "A", category: "network", categoryScore: 92 },
    ],
    [
      "ten multi-attach volumes cost the major cap",
      (inv) => {
        for (let i = 0; i < 10; i++) inv.volumes.push(aVolume({ name: `shared-${i}`, volume_type: "rbd", multiattach: true }));
      },
      { score: 75, grade: "B", category: "storage", categoryScore: 75 },
    ],
    [
      "a GPU flavor is a blocker",
      (inv) => inv.servers.push(serverWithFlavor("gpu-1", { name: "SCS-8V-32_GNa-14-48", vcpus: 8, ramMiB: 32768, disk: 0 })),
      { score: 70, grade: "D", category: "compute", categoryScore: 70 },
    ],
  ])("%s", (_label, mutate, expected) => {
    const inv = compliantInventory();
    mutate(inv);
    const a = assessPortability(inv);
    expect(a.score).toBe(expected.score);
    expect(a.grade).toBe(expected.grade);
    expect(a.categories[expected.category].score).toBe(expected.categoryScore);
    for (const [c, s] of Object.entries(a.categories)) {
      if (c !== expected.category) expect(s.score, c).toBe(100);
    }
    expect(a.score).toBe(100 - a.deductions.reduce((n, d) => n + d.points, 0));
  });
});
