/**
 * Builders for the assessment tests: a small project that is fully
 * SCS-compliant (mandatory flavors, the standard image with full scs-0102
 * metadata, a volume type with scs-0114 aspects, a project network behind a
 * router, one availability zone, no floating IPs), which each test then
 * breaks in exactly one way. Built on `test/helpers/builders.ts`.
 */
import type { Flavor, Image, Inventory, Server } from "../../src/model/inventory.js";
import {
  SRC_PROJECT,
  aNetwork,
  aPort,
  aRouter,
  aServer,
  aServerGroup,
  aSubnet,
  aVolume,
  aVolumeType,
  anExternalNetwork,
  anImage,
  anInventory,
  mandatoryFlavors,
} from "../helpers/builders.js";

export { SRC_PROJECT };

/** Every scs-0102 property (v1 and v2) set, for an image of the given release. */
export function fullImageProps(os_distro = "ubuntu", os_version = "24.04"): Record<string, string> {
  return {
    architecture: "x86_64",
    os_distro,
    os_version,
    os_purpose: "generic",
    hw_disk_bus: "scsi",
    image_build_date: "2025-12-01",
    image_original_user: os_distro,
    image_source: "https://cloud-images.ubuntu.com/releases/noble/release-20251201/",
    image_description: "https://docs.scs.community/",
    replace_frequency: "monthly",
    provided_until: "none",
    uuid_validity: "last-3",
  };
}

/** A public provider image with complete SCS metadata. */
export function providerImage(name = "Ubuntu 24.04", os_distro = "ubuntu", os_version = "24.04", over: Partial<Image> = {}): Image {
  return anImage({
    id: `img-${name.replace(/\W+/g, "-").toLowerCase()}`,
    name,
    visibility: "public",
    owner: "p-admin",
    min_disk: 5,
    min_ram: 512,
    properties: fullImageProps(os_distro, os_version),
    ...over,
  });
}

/** The embedded flavor of a server on this flavor. */
export function embedded(f: Pick<Flavor, "vcpus" | "ram" | "disk" | "ephemeral" | "swap" | "extra_specs">): Server["flavor"] {
  return { vcpus: f.vcpus, ram: f.ram, disk: f.disk, ephemeral: f.ephemeral, swap: f.swap, extra_specs: { ...f.extra_specs } };
}

/** A server on a flavor of the inventory's list (by name). */
export function serverOn(inv: Inventory, flavorName: string, over: Partial<Server> = {}): Server {
  const f = inv.flavors.find((x) => x.name === flavorName);
  if (!f) throw new Error(`builder: no flavor ${flavorName}`);
  return aServer({ flavor_name: f.name, flavor_id: f.id, flavor: embedded(f), ...over });
}

/** A server on ad-hoc flavor figures (the flavor need not be in the inventory). */
export function serverWithFlavor(
  name: string,
  flavor: { name: string; vcpus: number; ramMiB: number; disk: number; ephemeral?: number; swap?: number; extra_specs?: Record<string, string> },
  over: Partial<Server> = {},
): Server {
  return aServer({
    id: `srv-${name}`,
    name,
    flavor_name: flavor.name,
    flavor: {
      vcpus: flavor.vcpus,
      ram: flavor.ramMiB,
      disk: flavor.disk,
      ephemeral: flavor.ephemeral ?? 0,
      swap: flavor.swap ?? 0,
      extra_specs: flavor.extra_specs ?? {},
    },
    image_id: flavor.disk > 0 ? "img-ubuntu-24-04" : null,
    ...over,
  });
}

/** A fully SCS-compliant project: scores 100/A, no findings. */
export function compliantInventory(): Inventory {
  const inv = anInventory(SRC_PROJECT);
  inv.flavors = mandatoryFlavors();
  const ubuntu = providerImage();
  const golden = anImage({ id: "img-golden", name: "app-golden", min_disk: 10, min_ram: 1024, properties: fullImageProps() });
  inv.images = [ubuntu, golden];

  const pub = anExternalNetwork({ id: "net-public" });
  const net = aNetwork({ id: "net-app", name: "app-net" });
  const sub = aSubnet({ id: "sub-app", network_id: net.id });
  inv.networks = [pub, net];
  inv.subnets = [sub];

  const webPort = aPort({ id: "port-web", network_id: net.id, device_owner: "compute:nova", device_id: "srv-web-1", fixed_ips: [{ subnet_id: sub.id, ip_address: "10.0.0.10" }] });
  const dbPort = aPort({ id: "port-db", network_id: net.id, device_owner: "compute:nova", device_id: "srv-db-1", fixed_ips: [{ subnet_id: sub.id, ip_address: "10.0.0.11" }] });
  const rif = aPort({ id: "port-rif", network_id: net.id, device_owner: "network:router_interface", device_id: "rtr-1", fixed_ips: [{ subnet_id: sub.id, ip_address: "10.0.0.1" }] });
  const gw = aPort({ id: "port-gw", network_id: pub.id, device_owner: "network:router_gateway", device_id: "rtr-1", fixed_ips: [{ subnet_id: "sub-pub", ip_address: "203.0.113.2" }] });
  inv.ports = [webPort, dbPort, rif, gw];
  inv.routers = [
    aRouter({
      id: "rtr-1",
      external_gateway: { network_id: pub.id, enable_snat: true, external_fixed_ips: [{ subnet_id: "sub-pub", ip_address: "203.0.113.2" }] },
      interfaces: [{ subnet_id: sub.id, port_id: rif.id, ip_address: "10.0.0.1" }],
    }),
  ];

  const rbd = aVolumeType({ id: "vt-rbd", name: "rbd", description: "[scs:replicated] Ceph RBD", is_default: false });
  inv.volume_types = [aVolumeType({ id: "vt-default" }), rbd];
  const root = aVolume({
    id: "vol-db-root",
    name: "db-root",
    size: 20,
    bootable: true,
    volume_type: "rbd",
    source_image_id: ubuntu.id,
    image_metadata: { image_id: ubuntu.id, image_name: ubuntu.name, os_distro: "ubuntu", os_version: "24.04" },
    attachments: [{ server_id: "srv-db-1", device: "/dev/sda", attachment_id: "att-1" }],
  });
  const data = aVolume({ id: "vol-db-data", name: "db-data", size: 100, volume_type: "rbd", attachments: [{ server_id: "srv-db-1", device: "/dev/sdb", attachment_id: "att-2" }] });
  const scratch = aVolume({ id: "vol-scratch", name: "scratch", size: 5 });
  inv.volumes = [root, data, scratch];

  const group = aServerGroup({ id: "grp-web", name: "web", policy: "soft-anti-affinity", members: ["srv-web-1"] });
  inv.server_groups = [group];
  inv.servers = [
    serverOn(inv, "SCS-2V-4-20s", { id: "srv-web-1", name: "web-1", image_id: ubuntu.id, port_ids: [webPort.id], server_group_id: group.id }),
    serverOn(inv, "SCS-4V-16", {
      id: "srv-db-1",
      name: "db-1",
      image_id: null,
      port_ids: [dbPort.id],
      volumes: [
        { volume_id: root.id, device: "/dev/sda", boot_index: 0, delete_on_termination: false },
        { volume_id: data.id, device: "/dev/sdb", boot_index: null, delete_on_termination: false },
      ],
    }),
    serverOn(inv, "SCS-4V-16-100s", { id: "srv-app-1", name: "app-1", image_id: golden.id }),
  ];
  return inv;
}
