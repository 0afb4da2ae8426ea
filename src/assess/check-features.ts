/**
 * Provider-specific feature checks of the portability assessment: what the
 * inventory collector reports in `inv.features` (QoS policies, trunks, DNS
 * zones, …, each `{kind, id, name, detail}`) and availability zone names.
 * Pure; no API calls.
 *
 * Rules:
 * - Each feature is rated by what SCS says of its service (scs-0123): the
 *   mandatory services (load balancer, S3 object storage) exist on every
 *   target, so their objects only need recreating → minor; optional services
 *   and Neutron extensions SCS does not require (QoS, trunks, port
 *   forwarding, VPN, firewall, DNS, Heat, Manila, Barbican, …) may be
 *   missing → major. Kinds the table does not know count as major, because
 *   "provider-specific" is the collector's reason for listing them.
 * - Kinds are matched case-insensitively with `_`/space as `-` and a plural
 *   `s` dropped, so "QoS_Policies" and "qos-policy" are one kind.
 * - Availability zones (scs-0121): names are provider-specific; servers and
 *   volumes placed in a zone of a cloud with several zones of that service
 *   were placed on purpose (fire zones) → minor per zone. With one zone the
 *   placement was no choice and the planner's rules map it; no finding.
 */
import type { Feature } from "../model/inventory.js";
import type { AssessContext } from "./context.js";
import { finding, listNames, nameOf, plural } from "./context.js";
import type { Finding, Severity } from "./types.js";

interface FeatureRule {
  kinds: string[];
  severity: Severity;
  why: string;
  fix: string;
}

const FEATURE_RULES: FeatureRule[] = [
  {
    kinds: ["qos-policy", "qos", "qos-rule", "port-qos", "network-qos"],
    severity: "major",
    why: "QoS policies are a Neutron extension SCS does not require, with limits that are the provider's",
    fix: "Check the target has the qos extension (openstack extension list --network) and recreate the policy, or drop the dependency.",
  },
  {
    kinds: ["trunk", "trunk-port"],
    severity: "major",
    why: "VLAN trunk ports need Neutron's trunk extension, which SCS does not require",
    fix: "Check the target has the trunk extension (openstack extension show trunk); otherwise give the server one port per network.",
  },
  {
    kinds: ["port-forwarding", "floating-ip-port-forwarding"],
    severity: "major",
    why: "floating IP port forwarding is an optional Neutron extension, and the floating IP changes anyway",
    fix: "Check the target has floating-ip-port-forwarding; otherwise give the servers their own floating IPs or put a load balancer in front.",
  },
  {
    kinds: ["lb-flavor", "load-balancer-flavor"],
    severity: "minor",
    why: "load-balancer flavors are defined by each operator (size, HA topology); no SCS standard names them",
    fix: "Pick the target's matching load-balancer flavor and map it (loadBalancerFlavors: { <source>: <target> } in the mapping file).",
  },
  {
    kinds: ["lb-availability-zone", "load-balancer-availability-zone"],
    severity: "minor",
    why: "load-balancer availability zones are operator-defined profiles; the migrated load balancer is placed by the target's default",
    fix: "Ask the target provider for an equivalent zone and set it on the load balancer after the move, if placement matters.",
  },
  {
    kinds: ["lb-tls-secret", "load-balancer-tls"],
    severity: "major",
    why: "TLS listeners and pools reference certificates in Barbican, which cannot be read and copied portably with member rights",
    fix: "Store the certificate in the target's key manager, then create the TERMINATED_HTTPS listener (or set the pool's certificates) there; the migration skips these listeners.",
  },
  {
    kinds: ["load-balancer", "loadbalancer", "lbaas", "octavia", "listener", "pool"],
    severity: "minor",
    why: "Octavia is mandatory on SCS clouds (scs-0123), but load balancers are recreated, not moved: the VIP address changes",
    fix: "Recreate the load balancer with its listeners, pools and health monitors on the target (same definitions), then move DNS to the new VIP.",
  },
  {
    kinds: ["object-container", "container", "swift-container", "bucket", "s3-bucket", "object-store"],
    severity: "minor",
    why: "S3 object storage is mandatory on SCS clouds (scs-0123, Swift only optional), but objects are not part of the IaaS move",
    fix: "Copy the objects to the target's S3 endpoint with an S3 client (e.g. rclone sync), and switch clients to the new endpoint and credentials.",
  },
  {
    kinds: ["dns-zone", "zone", "recordset", "designate"],
    severity: "major",
    why: "DNS as a service (Designate) is optional in scs-0123",
    fix: "Check the target offers Designate and recreate the zones there, or move them to an external DNS provider before the move.",
  },
  {
    kinds: ["secret", "barbican-secret", "key-manager", "secret-container"],
    severity: "major",
    why: "secrets do not move between key managers, and a key manager is only recommended (scs-0116)",
    fix: "Recreate the secrets on the target from their source material; check the target's key manager is usable by members.",
  },
  {
    kinds: ["share", "manila", "share-network"],
    severity: "major",
    why: "shared file systems (Manila) are optional in scs-0123",
    fix: "Check the target offers Manila; otherwise run an NFS server on a volume, and copy the data over with rsync.",
  },
  {
    kinds: ["stack", "heat-stack", "orchestration"],
    severity: "major",
    why: "Heat is optional in scs-0123, and stacks own the resources they created",
    fix: "Redeploy from the templates on a target with Heat, or port them to Terraform/OpenTofu; do not migrate stack-owned resources one by one.",
  },
  {
    kinds: ["vpn-service", "vpnaas", "ipsec-site-connection", "ike-policy", "ipsec-policy", "endpoint-group"],
    severity: "major",
    why: "VPN as a service is an optional Neutron extension SCS does not require",
    fix: "Check the target has vpnaas; otherwise run the VPN endpoint in a server, and tell the remote side the new peer address.",
  },
  {
    kinds: ["firewall-group", "firewall", "fwaas", "firewall-policy", "firewall-rule"],
    severity: "major",
    why: "firewall as a service is an optional Neutron extension SCS does not require",
    fix: "Express the rules as security groups, which every cloud has, or check the target has fwaas.",
  },
  {
    kinds: ["bgpvpn", "bgp-speaker", "network-segment", "segment", "provider-network"],
    severity: "major",
    why: "routing and segmentation features are the provider's network design",
    fix: "Agree an equivalent with the target provider before the move.",
  },
  {
    kinds: ["subnet-pool", "address-scope"],
    severity: "minor",
    why: "subnet pools and address scopes are provider objects; only a default IPv6 pool is foreseen (scs-0126, draft)",
    fix: "Give the target subnets explicit CIDRs (the move keeps the source's), or use the target's default pool.",
  },
  {
    kinds: ["rbac-policy", "rbac"],
    severity: "minor",
    why: "RBAC grants name this cloud's project ids",
    fix: "Recreate the grants on the target with the target's project ids.",
  },
];

/** The spellings a kind may stand for: as written (normalised) and without a plural ending. */
function kindForms(kind: string): string[] {
  const k = kind.trim().toLowerCase().replace(/[\s_]+/g, "-");
  return [k, k.replace(/ies$/, "y"), k.replace(/([^s])s$/, "$1")];
}

/** The rule for a feature kind, or null when the table does not know it. */
export function featureRule(kind: string): FeatureRule | null {
  const forms = kindForms(kind);
  return FEATURE_RULES.find((r) => forms.some((k) => r.kinds.includes(k))) ?? null;
}

function featureFinding(f: Feature): Finding {
  const rule = featureRule(f.kind);
  const label = f.name || f.id;
  const detail = f.detail ? ` (${f.detail})` : "";
  if (rule) {
    return finding("provider-feature", rule.severity, `${f.kind}/${label}`, `${f.kind} ${label}${detail}: ${rule.why}`, rule.fix);
  }
  return finding(
    "provider-feature",
    "major",
    `${f.kind}/${label}`,
    `${f.kind} ${label}${detail} is specific to this provider; no SCS standard covers it`,
    `Check whether the target offers ${f.kind}; recreate it there, or remove the dependency before the move.`,
  );
}

function availabilityZoneFindings(ctx: AssessContext): Finding[] {
  const zonesOf = (service: "compute" | "volume") =>
    new Set(ctx.inv.availability_zones.filter((z) => z.service === service).map((z) => z.name));
  const computeZones = zonesOf("compute");
  const volumeZones = zonesOf("volume");
  const placed = new Map<string, { servers: string[]; volumes: string[] }>();
  const at = (zone: string) => {
    const p = placed.get(zone) ?? { servers: [], volumes: [] };
    placed.set(zone, p);
    return p;
  };
  if (computeZones.size > 1) {
    for (const s of ctx.inv.servers) if (s.availability_zone) at(s.availability_zone).servers.push(nameOf(s));
  }
  if (volumeZones.size > 1) {
    for (const v of ctx.inv.volumes) if (v.availability_zone) at(v.availability_zone).volumes.push(nameOf(v));
  }
  const out: Finding[] = [];
  for (const [zone, p] of [...placed].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const what = [
      p.servers.length ? `${plural(p.servers.length, "server")} (${listNames(p.servers)})` : "",
      p.volumes.length ? `${plural(p.volumes.length, "volume")} (${listNames(p.volumes)})` : "",
    ].filter(Boolean);
    out.push(
      finding(
        "availability-zone",
        "minor",
        `availability-zone/${zone}`,
        `${what.join(" and ")} placed in zone ${zone}, one of several on this cloud; zone names are provider-specific (scs-0121)`,
        `Map the zone in the mapping file (availabilityZones: { ${JSON.stringify(zone)}: <target zone> }), so servers spread over zones stay spread; a volume must land in its server's zone.`,
      ),
    );
  }
  return out;
}

/** Findings about provider-specific features and availability zones. */
export function checkFeatures(ctx: AssessContext): Finding[] {
  const features = [...ctx.inv.features].sort((a, b) =>
    a.kind !== b.kind ? (a.kind < b.kind ? -1 : 1) : a.name !== b.name ? (a.name < b.name ? -1 : 1) : a.id < b.id ? -1 : 1,
  );
  return [...features.map(featureFinding), ...availabilityZoneFindings(ctx)];
}
