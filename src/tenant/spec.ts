/**
 * The tenant spec: a declarative description of a project's resources, used
 * by `scs-migrate seed` to build a source tenant on any cloud (simulated or
 * real) through the same client layer the migration uses. References between
 * resources are by name, so a spec reads like a small inventory.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { z } from "zod";
import { LoadBalancersSpec } from "./seed-load-balancers.js";
import { ConfigError } from "../errors.js";

const Name = z.string().min(1).max(255);
const Ip = z.string().min(3);

export const ContentSpec = z
  .object({
    size_mb: z.number().positive().describe("bytes written = size_mb × 1 MiB"),
    seed: z.string().optional().describe("content generator seed; defaults to the resource name"),
  })
  .strict();
export type ContentSpec = z.infer<typeof ContentSpec>;

export const SubnetSpec = z
  .object({
    name: Name,
    cidr: z.string(),
    ip_version: z.union([z.literal(4), z.literal(6)]).default(4),
    gateway_ip: Ip.nullable().optional().describe("null disables the gateway; absent lets Neutron pick the first address"),
    enable_dhcp: z.boolean().default(true),
    allocation_pools: z.array(z.object({ start: Ip, end: Ip }).strict()).optional(),
    dns_nameservers: z.array(Ip).default([]),
    host_routes: z.array(z.object({ destination: z.string(), nexthop: Ip }).strict()).default([]),
    description: z.string().default(""),
  })
  .strict();

export const NetworkSpec = z
  .object({
    name: Name,
    description: z.string().default(""),
    mtu: z.number().int().optional(),
    port_security_enabled: z.boolean().optional(),
    subnets: z.array(SubnetSpec).default([]),
  })
  .strict();

export const RouterSpec = z
  .object({
    name: Name,
    description: z.string().default(""),
    external_gateway: z.boolean().default(false).describe("attach the cloud's default external network"),
    interfaces: z.array(Name).default([]).describe("subnet names"),
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
    remote_group: Name.nullable().default(null).describe("name of a security group in this spec"),
    description: z.string().default(""),
  })
  .strict();
export type RuleSpec = z.infer<typeof RuleSpec>;

export const SecurityGroupSpec = z
  .object({
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
    name: Name,
    size: z.number().int().positive().describe("GiB"),
    description: z.string().default(""),
    volume_type: z.string().optional(),
    image: Name.optional().describe("create the volume from this image (spec or cloud image name): bootable"),
    content: ContentSpec.optional().describe("data written into the volume (via a temporary image)"),
    metadata: z.record(z.string(), z.string()).default({}),
  })
  .strict()
  .refine((v) => !(v.image && v.content), { message: "a volume takes either image or content, not both" });

export const ServerPortSpec = z
  .object({
    network: Name,
    fixed_ip: Ip.optional(),
    subnet: Name.optional(),
    security_groups: z.array(Name).optional().describe("defaults to the server's security_groups"),
    name: z.string().optional(),
  })
  .strict();

export const ServerSpec = z
  .object({
    name: Name,
    flavor: Name,
    image: Name.optional().describe("boot from this image (spec or cloud image name)"),
    boot_volume: Name.optional().describe("boot from this volume of the spec"),
    key_name: Name.optional(),
    availability_zone: z.string().optional(),
    server_group: Name.optional(),
    security_groups: z.array(Name).default([]),
    ports: z.array(ServerPortSpec).min(1),
    volumes: z.array(Name).default([]).describe("data volumes attached after boot"),
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
    keypairs: z.array(KeypairSpec).default([]),
    networks: z.array(NetworkSpec).default([]),
    routers: z.array(RouterSpec).default([]),
    security_groups: z.array(SecurityGroupSpec).default([]),
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

/** Checks the references inside a spec (names that must exist), returning every problem. */
export function checkSpecReferences(spec: TenantSpec): string[] {
  const problems: string[] = [];
  const dupes = (what: string, names: string[]) => {
    const seen = new Set<string>();
    for (const n of names) {
      if (seen.has(n)) problems.push(`${what}: duplicate name "${n}"`);
      seen.add(n);
    }
  };
  const subnets = spec.networks.flatMap((n) => n.subnets.map((s) => s.name));
  dupes("networks", spec.networks.map((n) => n.name));
  dupes("subnets", subnets);
  dupes("routers", spec.routers.map((r) => r.name));
  dupes("security_groups", spec.security_groups.map((g) => g.name));
  dupes("keypairs", spec.keypairs.map((k) => k.name));
  dupes("server_groups", spec.server_groups.map((g) => g.name));
  dupes("images", spec.images.map((i) => i.name));
  dupes("volumes", spec.volumes.map((v) => v.name));
  dupes("servers", spec.servers.map((s) => s.name));

  const has = (list: string[], n: string) => list.includes(n);
  const sgNames = spec.security_groups.map((g) => g.name).concat("default");
  const netNames = spec.networks.map((n) => n.name);
  const volNames = spec.volumes.map((v) => v.name);
  spec.routers.forEach((r, i) =>
    r.interfaces.forEach((s) => {
      if (!has(subnets, s)) problems.push(`routers[${i}].interfaces: unknown subnet "${s}"`);
    }),
  );
  spec.security_groups.forEach((g, i) =>
    g.rules.forEach((r, j) => {
      if (r.remote_group && !has(sgNames, r.remote_group))
        problems.push(`security_groups[${i}].rules[${j}].remote_group: unknown security group "${r.remote_group}"`);
    }),
  );
  const attachedTo = new Map<string, string>();
  spec.servers.forEach((s, i) => {
    const at = `servers[${i}]`;
    if (s.key_name && !has(spec.keypairs.map((k) => k.name), s.key_name))
      problems.push(`${at}.key_name: unknown keypair "${s.key_name}"`);
    if (s.server_group && !has(spec.server_groups.map((g) => g.name), s.server_group))
      problems.push(`${at}.server_group: unknown server group "${s.server_group}"`);
    s.security_groups.forEach((g) => {
      if (!has(sgNames, g)) problems.push(`${at}.security_groups: unknown security group "${g}"`);
    });
    s.ports.forEach((p, j) => {
      if (!has(netNames, p.network)) problems.push(`${at}.ports[${j}].network: unknown network "${p.network}"`);
      if (p.subnet && !has(subnets, p.subnet)) problems.push(`${at}.ports[${j}].subnet: unknown subnet "${p.subnet}"`);
      (p.security_groups ?? []).forEach((g) => {
        if (!has(sgNames, g)) problems.push(`${at}.ports[${j}].security_groups: unknown security group "${g}"`);
      });
    });
    const vols = [...s.volumes, ...(s.boot_volume ? [s.boot_volume] : [])];
    for (const v of vols) {
      if (!has(volNames, v)) problems.push(`${at}: unknown volume "${v}"`);
      const other = attachedTo.get(v);
      if (other) problems.push(`${at}: volume "${v}" is already attached to server "${other}"`);
      attachedTo.set(v, s.name);
    }
  });
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
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true });
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` line ${err.linePos[0].line}` : "";
    throw new ConfigError(`${path}:${where} not valid YAML/JSON: ${(err as Error).message.split("\n")[0]}`);
  }
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
