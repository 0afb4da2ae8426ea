import { describe, expect, it } from "vitest";
import { assessPortability } from "../../src/assess/assess.js";
import { RENDER_LIMIT_PER_CHECK, renderAssessment, wrap } from "../../src/assess/render.js";
import type { Inventory } from "../../src/model/inventory.js";
import { aFloatingIp } from "../helpers/builders.js";
import { compliantInventory, serverWithFlavor } from "./builders.js";

const flat = (text: string) => text.replace(/\s+/g, " ");

function mixedProject(): Inventory {
  const inv = compliantInventory();
  inv.servers.push(serverWithFlavor("gpu-1", { name: "SCS-8V-32_GNa-14-48", vcpus: 8, ramMiB: 32768, disk: 0 }));
  inv.servers.push(serverWithFlavor("old-1", { name: "m1.odd", vcpus: 2, ramMiB: 6144, disk: 0 }));
  inv.servers.push(serverWithFlavor("small-1", { name: "m1.small", vcpus: 1, ramMiB: 2048, disk: 0 }, { config_drive: true }));
  inv.floating_ips.push(aFloatingIp({ floating_network_id: "net-public", floating_ip_address: "203.0.113.10", port_id: "port-web" }));
  return inv;
}

describe("renderAssessment", () => {
  it("shows a compliant project's score, grade, categories and counts", () => {
    const text = renderAssessment(assessPortability(compliantInventory()));
    expect(text).toContain("Portability of p-src (src/RegionOne), inventory of 2026-01-01T00:00:00Z");
    expect(text).toContain("Score 100/100   grade A");
    for (const c of ["compute", "images", "storage", "network", "features"]) {
      expect(text).toMatch(new RegExp(`^ {4}${c} +100  A   no findings$`, "m"));
    }
    expect(flat(text)).toContain("Checked: 3 servers, 3 flavors, 2 images, 3 volumes, 2 volume types, 0 volume snapshots, 2 networks, 4 ports, 0 floating IPs, 1 server group, 0 provider features");
    expect(text).toContain("No findings: everything this project uses exists on every SCS-compatible cloud.");
    expect(text).not.toContain("fix:");
  });

  it("groups findings by severity, worst first, each with its fix", () => {
    const a = assessPortability(mixedProject());
    const text = renderAssessment(a);
    expect(text).toContain(`Score ${a.score}/100   grade ${a.grade}`);
    const headings = ["Blockers (1)", "Major (1)", "Minor (2)", "Info (1)"].map((h) => text.indexOf(`\n${h}: `));
    expect(headings.every((i) => i > 0)).toBe(true);
    expect([...headings].sort((x, y) => x - y)).toEqual(headings);
    for (const f of a.findings) {
      expect(text).toContain(`${f.resource}  [${f.id}]`);
      expect(flat(text)).toContain(flat(`fix: ${f.fix}`));
      expect(flat(text)).toContain(flat(f.message));
    }
    expect(text.indexOf("flavor/SCS-8V-32_GNa-14-48")).toBeLessThan(text.indexOf("flavor/m1.odd"));
    expect(flat(text)).toContain("Score deductions: flavor-not-scs −12 (2 findings); flavor-scs-other −30 (1 finding); floating-ip −2 (1 finding)");
  });

  it("keeps lines within 100 columns", () => {
    const text = renderAssessment(assessPortability(mixedProject()));
    const long = text.split("\n").filter((l) => l.length > 100 && l.trim().includes(" "));
    expect(long).toEqual([]);
  });

  it("shows the first findings of a check in full and names the rest, and says when a cap applied", () => {
    const inv = compliantInventory();
    for (let i = 10; i < 22; i++) inv.floating_ips.push(aFloatingIp({ floating_network_id: "net-public", floating_ip_address: `203.0.113.${i}` }));
    const text = renderAssessment(assessPortability(inv));
    expect(text.match(/\[floating-ip\]$/gm)).toHaveLength(RENDER_LIMIT_PER_CHECK);
    expect(flat(text)).toContain(
      "+ 7 more [floating-ip]: floating-ip/203.0.113.15, floating-ip/203.0.113.16, floating-ip/203.0.113.17, floating-ip/203.0.113.18, floating-ip/203.0.113.19, floating-ip/203.0.113.20, floating-ip/203.0.113.21 (the JSON output has their messages and fixes)",
    );
    expect(flat(text)).toContain("floating-ip −8 (12 findings, capped from 24)");
  });
});

describe("wrap", () => {
  it.each<[string, string, number, number, string[]]>([
    ["short text stays on one line", "fix: ", 5, 40, ["fix: short text stays on one line"]],
    ["one two three four five", "- ", 2, 12, ["- one two", "  three four", "  five"]],
    ["averyveryverylongword next", "> ", 2, 10, ["> averyveryverylongword", "  next"]],
  ])("%j", (text, first, indent, width, lines) => {
    expect(wrap(text, first, indent, width)).toEqual(lines);
  });
});
