/**
 * The tenant spec: a declarative description of a project's resources, used
 * by `scs-migrate seed` to build a source tenant on any cloud (simulated or
 * real) through the same client layer the migration uses. References between
 * resources are by key, so a spec reads like a small inventory.
 *
 * Keys: every resource a spec refers to has an optional `key` that defaults to
 * its name. References (a router's interfaces, a server's network, a rule's
 * remote group, …) name keys, and keys must be unique per kind, while names
 * need not be: OpenStack allows two networks called "app", and a spec can
 * describe them as `{key: app-a, name: app}` and `{key: app-b, name: app}`.
 * A separate key (rather than a position or a name suffix) keeps every
 * existing spec valid unchanged and makes a reference read the same wherever
 * it appears.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { LoadBalancersSpec } from "./seed-load-balancers.js";
import { ConfigError } from "../errors.js";
import { parseYamlText } from "../util/yaml.js";

const Name = z.string().min(1).max(255);
const Key = z.string().min(1).max(255).optional().describe("how the spec refers to this resource; defaults to its name");
const Ip = z.string().min(3);

export const ContentSpec = z
  .object({
    size_mb: z.number().positive().describe("bytes written = size_mb × 1 MiB"),
    seed: z.string().optional().describe("content generator seed; defaults to the resource name"),
  })
  .strict();
export type ContentSpec = z.infer<typeof ContentSpec>;

const Ipv6Mode = z.enum(["slaac", "dhcpv6-stateful", "dhcpv6-stateless"]);

export const SubnetSpec = z
  .object({
    key: Key,
    name: Name,
    cidr: z.string(),
    ip_version: z.union([z.literal(4), z.literal(6)]).default(4),
    gateway_ip: Ip.nullable().optional().describe("null disables the gateway; absent lets Neutron pick the first address"),
    enable_dhcp: z.boolean().default(true),
    allocation_pools: z.array(z.object({ start: Ip, end: Ip }).strict()).optional(),
    dns_nameservers: z.array(Ip).default([]),
    host_routes: z.array(z.object({ destination: z.string(), nexthop: Ip }).strict()).default([]),
    description: z.string().default(""),
    ipv6_ra_mode: Ipv6Mode.optional().describe("IPv6 only: who sends router advertisements"),
    ipv6_address_mode: Ipv6Mode.optional().describe("IPv6 only: how addresses are assigned"),
  })
  .strict()
  .refine((s) => s.ip_version === 6 || (s.ipv6_ra_mode === undefined && s.ipv6_address_mode === undefined), {
    message: "ipv6_ra_mode and ipv6_address_mode need ip_version: 6",
  });

export const NetworkSpec = z
  .object({
    key: Key,
    name: Name,
    description: z.string().default(""),
    mtu: z.number().int().optional(),
    port_security_enabled: z.boolean().optional(),
    subnets: z.array(SubnetSpec).default([]),
  })
  .strict();

export const RouterSpec = z
  .object({
    key: Key,
    name: Name,
    description: z.string().default(""),
    external_gateway: z.boolean().default(false).describe("attach the cloud's default external network"),
    interfaces: z.array(Name).default([]).describe("subnet keys"),
    routes: z.array(z.object({ destination: z.string(), nexthop: Ip }).strict()).default([]),
  })
  .strict();

export const RuleSpec = z
  .object({
    direction: z.enum(["ingress", "egress"]).default("ingress"),
    ethertype: z.enum(["IPv4", "IPv6"]).default("IPv4"),
    protocol: z.string().nullable().default(null),
    port_range_min: z.number().int().nullable().default(null),
    port_range_max: z.number().int().nullable().default(null),
    remote_ip_prefix: z.string().nullable().default(null),
    remote_group: Name.nullable().default(null).describe("key of a security group in this spec"),
    description: z.string().default(""),
  })
  .strict();
export type RuleSpec = z.infer<typeof RuleSpec>;

export const SecurityGroupSpec = z
  .object({
    key: Key,
    name: Name,
    description: z.string().default(""),
    rules: z.array(RuleSpec).default([]),
  })
  .strict();

export const KeypairSpec = z
  .object({
    name: Name,
    public_key: z.string().min(20),
    type: z.enum(["ssh", "x509"]).default("ssh"),
  })
  .strict();

export const ServerGroupSpec = z
  .object({
    name: Name,
    policy: z.enum(["affinity", "anti-affinity", "soft-affinity", "soft-anti-affinity"]),
  })
  .strict();

export const ImageSpec = z
  .object({
    key: Key,
    name: Name,
    content: ContentSpec,
    disk_format: z.string().default("raw"),
    container_format: z.string().default("bare"),
    visibility: z.enum(["private", "shared", "community"]).default("private"),
    min_disk: z.number().int().min(0).default(0),
    min_ram: z.number().int().min(0).default(0),
    tags: z.array(z.string()).default([]),
    properties: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export const VolumeSpec = z
  .object({
    key: Key,
    name: Name,
    size: z.number().int().positive().describe("GiB"),
    description: z.string().default(""),
    volume_type: z.string().optional(),
    image: Name.optional().describe("create the volume from this image (spec image key, or cloud image name): bootable"),
    content: ContentSpec.optional().describe("data written into the volume (via a temporary image)"),
    metadata: z.record(z.string(), z.string()).default({}),
  })
  .strict()
  .refine((v) => !(v.image && v.content), { message: "a volume takes either image or content, not both" });

export const ServerPortSpec = z
  .object({
    network: Name.optional().describe("network key: a port made for this server"),
    port: Name.optional().describe("key of a standalone port of the spec to plug in instead"),
    fixed_ip: Ip.optional(),
    subnet: Name.optional(),
    security_groups: z.array(Name).optional().describe("defaults to the server's security_groups"),
    name: z.string().optional(),
  })
  .strict()
  .refine((p) => Boolean(p.network) !== Boolean(p.port), { message: "a server port needs exactly one of network or port" })
  .refine((p) => !p.port || (p.fixed_ip === undefined && p.subnet === undefined && p.security_groups === undefined && p.name === undefined), {
    message: "a server port with `port` takes its addresses and groups from that port",
  });

export const PortSpec = z
  .object({
    key: Key,
    name: Name,
    network: Name.describe("network key"),
    description: z.string().default(""),
    fixed_ips: z.array(z.object({ subnet: Name.optional(), ip_address: Ip.optional() }).strict()).default([]).describe("subnet keys and/or addresses"),
    security_groups: z.array(Name).optional().describe("security group keys; the project's default group when omitted"),
    port_security_enabled: z.boolean().optional(),
    allowed_address_pairs: z.array(z.object({ ip_address: z.string(), mac_address: z.string().optional() }).strict()).default([]),
  })
  .strict()
  .refine((p) => !(p.port_security_enabled === false && ((p.security_groups?.length ?? 0) > 0 || p.allowed_address_pairs.length > 0)), {
    message: "a port without port security takes no security groups and no allowed address pairs (Neutron refuses them)",
  });

export const FlavorSpec = z
  .object({
    name: Name,
    vcpus: z.number().int().positive(),
    ram: z.number().int().positive().describe("MiB"),
    disk: z.number().int().min(0).describe("GB"),
    ephemeral: z.number().int().min(0).default(0),
    swap: z.number().int().min(0).default(0),
    description: z.string().optional(),
    extra_specs: z.record(z.string(), z.string()).default({}),
  })
  .strict()
  .describe("a private flavor, created by the admin identity and shared with the seeded project");

const QUOTA_KEYS = {
  compute: ["instances", "cores", "ram", "key_pairs", "metadata_items", "server_groups", "server_group_members"],
  volume: ["volumes", "snapshots", "gigabytes", "backups", "backup_gigabytes", "per_volume_gigabytes", "groups"],
  network: ["network", "subnet", "subnetpool", "port", "router", "floatingip", "rbac_policy", "security_group", "security_group_rule"],
} as const;
export type QuotaService = keyof typeof QUOTA_KEYS;
/** The service a quota key belongs to (the services' own key names). */
export const QUOTA_SERVICE: Record<string, QuotaService> = Object.fromEntries(
  (Object.entries(QUOTA_KEYS) as Array<[QuotaService, readonly string[]]>).flatMap(([svc, keys]) => keys.map((k) => [k, svc])),
);
export const QuotasSpec = z
  .record(z.string(), z.number().int().min(-1))
  .refine((q) => Object.keys(q).every((k) => k in QUOTA_SERVICE), { message: `quota keys are the services' own: ${Object.keys(QUOTA_SERVICE).join(", ")}` })
  .describe("the project's quotas, set by the admin identity before anything is created; -1 is unlimited");

export const ServerSpec = z
  .object({
    key: Key,
    name: Name,
    flavor: Name,
    image: Name.optional().describe("boot from this image (spec image key, or cloud image name)"),
    boot_volume: Name.optional().describe("boot from this volume (key) of the spec"),
    key_name: Name.optional(),
    availability_zone: z.string().optional(),
    server_group: Name.optional(),
    security_groups: z.array(Name).default([]),
    ports: z.array(ServerPortSpec).min(1),
    volumes: z.array(Name).default([]).describe("data volumes (keys) attached after boot"),
    metadata: z.record(z.string(), z.string()).default({}),
    tags: z.array(z.string()).default([]),
    floating_ip: z.boolean().default(false).describe("associate a floating IP with the first port"),
    stopped: z.boolean().default(false).describe("leave the server SHUTOFF after seeding"),
  })
  .strict()
  .refine((s) => Boolean(s.image) !== Boolean(s.boot_volume), { message: "a server needs exactly one of image or boot_volume" });

export const TenantSpec = z
  .object({
    name: Name.describe("a label for this tenant; resource names are used as they are"),
    description: z.string().default(""),
    quotas: QuotasSpec.optional(),
    flavors: z.array(FlavorSpec).default([]),
    keypairs: z.array(KeypairSpec).default([]),
    networks: z.array(NetworkSpec).default([]),
    routers: z.array(RouterSpec).default([]),
    security_groups: z.array(SecurityGroupSpec).default([]),
    ports: z.array(PortSpec).default([]).describe("standalone ports (not made for a server)"),
    server_groups: z.array(ServerGroupSpec).default([]),
    images: z.array(ImageSpec).default([]),
    volumes: z.array(VolumeSpec).default([]),
    servers: z.array(ServerSpec).default([]),
    load_balancers: LoadBalancersSpec,
  })
  .strict();
export type TenantSpec = z.infer<typeof TenantSpec>;
export type ServerSpec = z.infer<typeof ServerSpec>;
export type VolumeSpec = z.infer<typeof VolumeSpec>;
export type ImageSpec = z.infer<typeof ImageSpec>;
export type PortSpec = z.infer<typeof PortSpec>;
export type FlavorSpec = z.infer<typeof FlavorSpec>;

/** The key a spec resource is referred to by. */
export function keyOf(r: { key?: string | undefined; name: string }): string {
  return r.key ?? r.name;
}

/** Duplicate keys (or names, for kinds without keys) of one kind. */
function duplicates(problems: string[], what: string, keys: string[], label = "key"): void {
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k)) problems.push(`${what}: duplicate ${label} "${k}"${label === "key" ? " (give same-named resources distinct `key`s)" : ""}`);
    seen.add(k);
  }
}

/** The keys of each kind, for reference checks. */
function specKeys(spec: TenantSpec) {
  return {
    networks: spec.networks.map(keyOf),
    subnets: spec.networks.flatMap((n) => n.subnets.map(keyOf)),
    routers: spec.routers.map(keyOf),
    securityGroups: spec.security_groups.map(keyOf).concat("default"),
    ports: spec.ports.map(keyOf),
    images: spec.images.map(keyOf),
    volumes: spec.volumes.map(keyOf),
    servers: spec.servers.map(keyOf),
  };
}

function checkServers(spec: TenantSpec, keys: ReturnType<typeof specKeys>, problems: string[]): void {
  const attachedTo = new Map<string, string>();
  const portUsedBy = new Map<string, string>();
  spec.servers.forEach((s, i) => {
    const at = `servers[${i}]`;
    if (s.key_name && !spec.keypairs.some((k) => k.name === s.key_name)) problems.push(`${at}.key_name: unknown keypair "${s.key_name}"`);
    if (s.server_group && !spec.server_groups.some((g) => g.name === s.server_group)) problems.push(`${at}.server_group: unknown server group "${s.server_group}"`);
    s.security_groups.forEach((g) => {
      if (!keys.securityGroups.includes(g)) problems.push(`${at}.security_groups: unknown security group "${g}"`);
    });
    s.ports.forEach((p, j) => {
      if (p.network && !keys.networks.includes(p.network)) problems.push(`${at}.ports[${j}].network: unknown network "${p.network}"`);
      if (p.subnet && !keys.subnets.includes(p.subnet)) problems.push(`${at}.ports[${j}].subnet: unknown subnet "${p.subnet}"`);
      (p.security_groups ?? []).forEach((g) => {
        if (!keys.securityGroups.includes(g)) problems.push(`${at}.ports[${j}].security_groups: unknown security group "${g}"`);
      });
      if (p.port) {
        if (!keys.ports.includes(p.port)) problems.push(`${at}.ports[${j}].port: unknown port "${p.port}"`);
        const other = portUsedBy.get(p.port);
        if (other) problems.push(`${at}.ports[${j}].port: port "${p.port}" is already plugged into server "${other}"`);
        portUsedBy.set(p.port, keyOf(s));
      }
    });
    for (const v of [...s.volumes, ...(s.boot_volume ? [s.boot_volume] : [])]) {
      if (!keys.volumes.includes(v)) problems.push(`${at}: unknown volume "${v}"`);
      const other = attachedTo.get(v);
      if (other) problems.push(`${at}: volume "${v}" is already attached to server "${other}"`);
      attachedTo.set(v, keyOf(s));
    }
  });
}

/** Checks the references inside a spec (keys that must exist), returning every problem. */
export function checkSpecReferences(spec: TenantSpec): string[] {
  const problems: string[] = [];
  const keys = specKeys(spec);
  duplicates(problems, "networks", keys.networks);
  duplicates(problems, "subnets", keys.subnets);
  duplicates(problems, "routers", keys.routers);
  duplicates(problems, "security_groups", spec.security_groups.map(keyOf));
  duplicates(problems, "ports", keys.ports);
  duplicates(problems, "images", keys.images);
  duplicates(problems, "volumes", keys.volumes);
  duplicates(problems, "servers", keys.servers);
  // Why names: Nova keeps keypairs unique per user; server groups and flavors have no tags to tell twins apart.
  duplicates(problems, "keypairs", spec.keypairs.map((k) => k.name), "name");
  duplicates(problems, "server_groups", spec.server_groups.map((g) => g.name), "name");
  duplicates(problems, "flavors", spec.flavors.map((f) => f.name), "name");

  spec.routers.forEach((r, i) =>
    r.interfaces.forEach((s) => {
      if (!keys.subnets.includes(s)) problems.push(`routers[${i}].interfaces: unknown subnet "${s}"`);
    }),
  );
  spec.security_groups.forEach((g, i) =>
    g.rules.forEach((r, j) => {
      if (r.remote_group && !keys.securityGroups.includes(r.remote_group))
        problems.push(`security_groups[${i}].rules[${j}].remote_group: unknown security group "${r.remote_group}"`);
    }),
  );
  spec.ports.forEach((p, i) => {
    const net = spec.networks.find((n) => keyOf(n) === p.network);
    if (!net) problems.push(`ports[${i}].network: unknown network "${p.network}"`);
    p.fixed_ips.forEach((f, j) => {
      if (f.subnet && !net?.subnets.some((s) => keyOf(s) === f.subnet)) problems.push(`ports[${i}].fixed_ips[${j}].subnet: no subnet "${f.subnet}" in network "${p.network}"`);
    });
    (p.security_groups ?? []).forEach((g) => {
      if (!keys.securityGroups.includes(g)) problems.push(`ports[${i}].security_groups: unknown security group "${g}"`);
    });
  });
  checkServers(spec, keys, problems);
  return problems;
}

/** Reads and validates a tenant spec file (YAML or JSON), listing every problem in one ConfigError. */
export function loadTenantSpec(path: string): TenantSpec {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(`${path}: cannot read tenant spec: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const raw = parseYamlText(text, {
    source: path,
    syntaxError: (errs) => new ConfigError(`${path}:${errs[0]?.line !== undefined ? ` line ${errs[0].line}` : ""} not valid YAML/JSON: ${errs[0]?.message ?? "unreadable"}`),
  });
  const parsed = TenantSpec.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`);
    throw new ConfigError(`${path}: invalid tenant spec (${issues.length} problem${issues.length === 1 ? "" : "s"})`, {
      details: issues,
    });
  }
  const refs = checkSpecReferences(parsed.data);
  if (refs.length > 0) {
    throw new ConfigError(`${path}: invalid tenant spec (${refs.length} problem${refs.length === 1 ? "" : "s"})`, {
      details: refs,
    });
  }
  return parsed.data;
}
