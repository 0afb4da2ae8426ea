import { describe, expect, it } from "vitest";
import { assessPortability } from "../../src/assess/assess.js";
import { featureRule } from "../../src/assess/check-features.js";
import type { Inventory } from "../../src/model/inventory.js";
import { aFloatingIp, aNetwork, aPort, aVolume, aVolumeType } from "../helpers/builders.js";
import { compliantInventory } from "./builders.js";

function findings(mutate: (inv: Inventory) => void): string[] {
  const inv = compliantInventory();
  mutate(inv);
  return assessPortability(inv)
    .findings.map((f) => `${f.id}:${f.severity}:${f.resource}`)
    .sort();
}

describe("storage checks", () => {
  it.each<[string, (inv: Inventory) => void, string[]]>([
    ["volumes on Cinder's default type need no aspects", (inv) => inv.volumes.push(aVolume({ name: "d", volume_type: "__DEFAULT__" })), []],
    ["a volume without a type", (inv) => inv.volumes.push(aVolume({ name: "d", volume_type: null })), []],
    [
      "a type the inventory does not list counts as without aspects",
      (inv) => inv.volumes.push(aVolume({ name: "d", volume_type: "legacy" })),
      ["volume-type-no-aspects:minor:volume-type/legacy"],
    ],
    [
      "a volume naming its type by id is grouped under the type's name",
      (inv) => {
        inv.volume_types.push(aVolumeType({ id: "vt-ssd", name: "ssd", description: "local", is_default: false }));
        inv.volumes.push(aVolume({ name: "a", volume_type: "vt-ssd" }), aVolume({ name: "b", volume_type: "ssd" }));
      },
      ["volume-type-no-aspects:minor:volume-type/ssd"],
    ],
    [
      "an unused type without aspects is the provider's business",
      (inv) => inv.volume_types.push(aVolumeType({ id: "vt-x", name: "unused", description: null, is_default: false })),
      [],
    ],
    [
      "an encrypted aspect marks its volumes encrypted, one finding per type",
      (inv) => {
        inv.volume_types.push(aVolumeType({ id: "vt-luks", name: "luks", description: "[scs:encrypted, replicated] LUKS", is_default: false }));
        inv.volumes.push(aVolume({ name: "a", volume_type: "luks" }), aVolume({ name: "b", volume_type: "luks" }));
      },
      ["volume-encrypted:info:volume-type/luks"],
    ],
    [
      "snapshots of a volume the inventory lacks",
      (inv) => inv.volume_snapshots.push({ id: "s1", name: "", description: "", volume_id: "vol-gone", size: 1, status: "available", metadata: {}, created_at: null }),
      ["volume-snapshots:minor:volume/vol-gone"],
    ],
  ])("%s", (_label, mutate, expected) => {
    expect(findings(mutate)).toEqual(expected);
  });

  it("counts snapshots per volume", () => {
    const inv = compliantInventory();
    for (const name of ["a", "b", "c"]) {
      inv.volume_snapshots.push({ id: `s-${name}`, name, description: "", volume_id: "vol-db-data", size: 100, status: "available", metadata: {}, created_at: null });
    }
    const f = assessPortability(inv).findings.filter((x) => x.id === "volume-snapshots");
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toBe("volume db-data has 3 snapshots (a, b, c); snapshots are not migrated");
  });
});

describe("network checks", () => {
  it.each<[string, (inv: Inventory) => void, string[]]>([
    [
      "a shared network of another project that the project does not use",
      (inv) => inv.networks.push(aNetwork({ id: "net-x", name: "other", shared: true, project_id: "p-other" })),
      [],
    ],
    [
      "a floating IP port on the external network is not a server port",
      (inv) => inv.ports.push(aPort({ network_id: "net-public", device_owner: "network:floatingip", device_id: "fip-1" })),
      [],
    ],
    [
      "a reserved, unbound port on the external network counts",
      (inv) => inv.ports.push(aPort({ name: "reserved-vip", network_id: "net-public", device_owner: "", device_id: "" })),
      ["port-on-provider-network:major:network/public"],
    ],
    [
      "two floating IPs are two findings",
      (inv) =>
        inv.floating_ips.push(
          aFloatingIp({ floating_network_id: "net-public", floating_ip_address: "203.0.113.20" }),
          aFloatingIp({ floating_network_id: "net-public", floating_ip_address: "203.0.113.21" }),
        ),
      ["floating-ip:minor:floating-ip/203.0.113.20", "floating-ip:minor:floating-ip/203.0.113.21"],
    ],
  ])("%s", (_label, mutate, expected) => {
    expect(findings(mutate)).toEqual(expected);
  });

  it("names the server a floating IP points at", () => {
    const inv = compliantInventory();
    inv.floating_ips.push(aFloatingIp({ floating_network_id: "net-public", floating_ip_address: "203.0.113.10", port_id: "port-web", fixed_ip_address: "10.0.0.10" }));
    const f = assessPortability(inv).findings[0]!;
    expect(f.message).toBe("floating IP 203.0.113.10 (on web-1, 10.0.0.10) cannot move: the target allocates a new address");
  });
});

describe("provider features", () => {
  it.each<[string, string | null]>([
    ["qos-policy", "major"],
    ["QoS_Policies", "major"],
    ["qos", "major"],
    ["trunks", "major"],
    ["load_balancer", "minor"],
    ["loadbalancers", "minor"],
    ["lbaas", "minor"],
    ["s3-bucket", "minor"],
    ["Address Scopes", "minor"],
    ["stack", "major"],
    ["something-new", null],
  ])("%s → %s", (kind, severity) => {
    expect(featureRule(kind)?.severity ?? null).toBe(severity);
  });

  it("rates unknown kinds major and keeps the collector's detail", () => {
    const out = findings((inv) => inv.features.push({ kind: "magic", id: "m-1", name: "", detail: "vendor add-on" }));
    expect(out).toEqual(["provider-feature:major:magic/m-1"]);
    const inv = compliantInventory();
    inv.features.push({ kind: "load-balancer", id: "lb-1", name: "web-lb", detail: "2 listeners" });
    const f = assessPortability(inv).findings[0]!;
    expect(f).toMatchObject({ severity: "minor", resource: "load-balancer/web-lb" });
    expect(f.message).toContain("web-lb (2 listeners): Octavia is mandatory");
  });
});

describe("availability zones", () => {
  it("flags each zone in use on a multi-zone cloud, with its servers and volumes", () => {
    const out = findings((inv) => {
      inv.availability_zones.push({ service: "compute", name: "az2", available: true }, { service: "volume", name: "az2", available: true });
      inv.servers[0]!.availability_zone = "az2";
    });
    expect(out).toEqual(["availability-zone:minor:availability-zone/az2", "availability-zone:minor:availability-zone/nova"]);
  });

  it("says nothing on a single-zone cloud, whatever the zone is called", () => {
    const out = findings((inv) => {
      inv.availability_zones = [{ service: "compute", name: "fra1", available: true }];
      for (const s of inv.servers) s.availability_zone = "fra1";
    });
    expect(out).toEqual([]);
  });
});
