import { describe, expect, it } from "vitest";
import type { AvailabilityZone, Network, SecurityGroupRule } from "../../../src/model/inventory.js";
import { mapAvailabilityZone } from "../../../src/mapping/availability-zone.js";
import { chooseExternalNetwork } from "../../../src/mapping/external-network.js";
import { isScsDefaultEgressRule } from "../../../src/mapping/security-group-defaults.js";
import { aNetwork, anAz, aRule } from "./builders.js";

describe("chooseExternalNetwork", () => {
  const pub = aNetwork({ name: "public", external: true });
  const pubDefault = aNetwork({ name: "ext-default", external: true, is_default: true });
  const other = aNetwork({ name: "ext-other", external: true });
  const internal = aNetwork({ name: "internal" });

  it.each<[string, Network[], string | null, { network: string; basis: string }]>([
    ["the override by name", [pubDefault, other, internal], "ext-other", { network: "ext-other", basis: "override" }],
    ["the override by id", [pubDefault, other], "id-ext-other", { network: "ext-other", basis: "override" }],
    ["the is_default network", [other, pubDefault, internal], null, { network: "ext-default", basis: "is-default" }],
    ["the only external network", [pub, internal], null, { network: "public", basis: "only-external" }],
  ])("chooses %s", (_label, nets, override, want) => {
    const r = chooseExternalNetwork(nets, override);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (r.ok) expect({ network: r.network.name, basis: r.basis }).toEqual(want);
  });

  it.each<[string, Network[], string | null, string]>([
    [
      "several external networks and no default",
      [other, pub, internal],
      null,
      "the target has 2 external networks and none is marked default (ext-other, public); set externalNetwork in the mapping file",
    ],
    ["no external network", [internal], null, "the target has no external network; routers and floating IPs cannot be recreated"],
    ["an override that does not exist", [pub, other], "ext", "external network ext from the mapping file does not exist on the target (external networks: ext-other, public)"],
    ["an override that is not external", [pub, internal], "internal", "network internal from the mapping file is not an external network on the target (external networks: public)"],
  ])("fails for %s, listing the candidates", (_label, nets, override, reason) => {
    const r = chooseExternalNetwork(nets, override);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe(reason);
      expect(r.candidates).toEqual(nets.filter((n) => n.external).map((n) => n.name).sort());
    }
  });
});

describe("isScsDefaultEgressRule", () => {
  it.each<[string, Partial<SecurityGroupRule>, boolean]>([
    ["IPv4 egress, any protocol, no remote (Neutron's default rule)", {}, true],
    ["IPv6 egress, any protocol, no remote (Neutron's default rule)", { ethertype: "IPv6" }, true],
    ["IPv4 egress to 0.0.0.0/0 (Neutron answers 409 duplicate)", { remote_ip_prefix: "0.0.0.0/0" }, true],
    ["IPv6 egress to ::/0", { ethertype: "IPv6", remote_ip_prefix: "::/0" }, true],
    ['protocol "any"', { protocol: "any" }, true],
    ['protocol "0" (stored as its own rule)', { protocol: "0" }, false],
    ["tcp", { protocol: "tcp" }, false],
    ["a port range", { protocol: "tcp", port_range_min: 443, port_range_max: 443 }, false],
    ["ingress", { direction: "ingress" }, false],
    ["a remote group", { remote_group_id: "sg-1" }, false],
    ["a narrower prefix", { remote_ip_prefix: "10.0.0.0/8" }, false],
    ["IPv4 with an IPv6 any-prefix", { remote_ip_prefix: "::/0" }, false],
  ])("%s → %s", (_label, over, want) => {
    expect(isScsDefaultEgressRule(aRule(over))).toBe(want);
  });
});

describe("mapAvailabilityZone", () => {
  const zones: AvailabilityZone[] = [anAz("az1"), anAz("az2"), anAz("az3", "compute", false), anAz("nova", "volume")];

  it.each<[string, string | null, AvailabilityZone[], Record<string, string>, "compute" | "volume", { zone: string | null; basis: string }]>([
    ["user map", "de-1a", zones, { "de-1a": "az2" }, "compute", { zone: "az2", basis: "override" }],
    ["same name", "az1", zones, {}, "compute", { zone: "az1", basis: "same-name" }],
    ["same name but unavailable: the cloud chooses", "az3", zones, {}, "compute", { zone: null, basis: "cloud-default" }],
    ["no same name, several zones: the cloud chooses", "de-1a", zones, {}, "compute", { zone: null, basis: "cloud-default" }],
    ["no same name, one zone: that zone", "de-1a", [anAz("only")], {}, "compute", { zone: "only", basis: "only-zone" }],
    ["unknown source zone, one zone", null, [anAz("only")], {}, "compute", { zone: "only", basis: "only-zone" }],
    ["volume zones are looked up separately", "az1", zones, {}, "volume", { zone: "nova", basis: "only-zone" }],
    ["no zones at all: the cloud chooses", "az1", [], {}, "compute", { zone: null, basis: "cloud-default" }],
  ])("%s", (_label, src, targetZones, overrides, service, want) => {
    const r = mapAvailabilityZone(src, targetZones, overrides, service);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (r.ok) expect({ zone: r.zone, basis: r.basis }).toEqual(want);
  });

  it("a map entry naming a missing zone is an error", () => {
    const r = mapAvailabilityZone("de-1a", zones, { "de-1a": "az9" });
    expect(r).toEqual({
      ok: false,
      reason: "availability zone de-1a: the mapping file maps it to az9, which is not a compute zone on the target (zones: az1, az2)",
    });
  });

  it("says why the cloud chooses", () => {
    const r = mapAvailabilityZone("de-1a", zones, {});
    expect(r.ok && r.note).toBe("no compute zone de-1a on the target; the cloud chooses (zones: az1, az2)");
  });
});
