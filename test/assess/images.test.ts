import { describe, expect, it } from "vitest";
import { assessPortability } from "../../src/assess/assess.js";
import { missingImageKeys } from "../../src/assess/check-images.js";
import { findStandardImage } from "../../src/mapping/scs-standards.js";
import type { Image, Inventory } from "../../src/model/inventory.js";
import { anImage } from "../helpers/builders.js";
import { compliantInventory, fullImageProps, providerImage } from "./builders.js";

function imageFindings(inv: Inventory, resource: string): string[] {
  return assessPortability(inv)
    .findings.filter((f) => f.resource === resource)
    .map((f) => `${f.id}:${f.severity}`)
    .sort();
}

function without(props: Record<string, string>, ...keys: string[]): Record<string, string> {
  const out = { ...props };
  for (const k of keys) delete out[k];
  return out;
}

describe("missingImageKeys", () => {
  it.each<[string, Partial<Image>, { v1: string[]; v2: string[] }]>([
    ["complete", { min_disk: 5, min_ram: 512, properties: fullImageProps() }, { v1: [], v2: [] }],
    ["min_disk/min_ram of 0 count as not set, as in the standard's checker", { min_disk: 0, min_ram: 0, properties: fullImageProps() }, { v1: ["min_disk", "min_ram"], v2: [] }],
    ["blank values count as missing", { min_disk: 5, min_ram: 512, properties: { ...fullImageProps(), os_version: "  " } }, { v1: ["os_version"], v2: [] }],
    ["v1 complete, no os_purpose", { min_disk: 5, min_ram: 512, properties: without(fullImageProps(), "os_purpose") }, { v1: [], v2: ["os_purpose"] }],
    [
      "nothing set",
      { min_disk: 0, min_ram: 0, properties: {} },
      {
        v1: ["architecture", "min_disk", "min_ram", "os_distro", "os_version", "hw_disk_bus", "image_build_date", "image_original_user", "image_source", "image_description", "replace_frequency", "provided_until", "uuid_validity"],
        v2: ["os_purpose"],
      },
    ],
  ])("%s", (_label, over, expected) => {
    expect(missingImageKeys(anImage(over))).toEqual(expected);
  });
});

describe("findStandardImage", () => {
  it.each<[Record<string, string>, string | null]>([
    [{ os_distro: "ubuntu", os_version: "24.04" }, "mandatory"],
    [{ os_distro: "Ubuntu", os_version: "24.04", os_purpose: "generic" }, "mandatory"],
    [{ os_distro: "debian", os_version: "12" }, "recommended"],
    [{ os_distro: "ubuntu", os_version: "22.04", os_purpose: "k8snode" }, "recommended"],
    [{ os_distro: "ubuntu", os_version: "20.04" }, "optional"],
    [{ os_distro: "centos", os_version: "9" }, null],
    [{ os_version: "24.04" }, null],
  ])("%j → %s", (props, status) => {
    expect(findStandardImage(props)?.status ?? null).toBe(status);
  });
});

describe("image checks", () => {
  it.each<[string, (inv: Inventory) => void, string, string[]]>([
    [
      "owned image missing a technical key → minor",
      (inv) => (inv.images[1]!.properties = without(fullImageProps(), "architecture")),
      "image/app-golden",
      ["image-metadata-missing:minor"],
    ],
    [
      "owned image missing only life-cycle keys → info",
      (inv) => (inv.images[1]!.properties = without(fullImageProps(), "replace_frequency", "uuid_validity", "os_purpose")),
      "image/app-golden",
      ["image-metadata-missing:info"],
    ],
    [
      "owned image nobody boots from is still checked",
      (inv) => inv.images.push(anImage({ id: "img-old", name: "old-backup", min_disk: 0, properties: {} })),
      "image/old-backup",
      ["image-metadata-missing:minor"],
    ],
    [
      "provider image nobody here uses is not the project's business",
      (inv) => inv.images.push(providerImage("Fedora 40", "fedora", "40", { id: "img-fedora", properties: {} })),
      "image/Fedora 40",
      [],
    ],
    [
      "provider image in use without distro/version → major, plus info on its metadata",
      (inv) => {
        inv.images.push(providerImage("Windows", "windows", "2022", { id: "img-win", properties: { architecture: "x86_64" } }));
        inv.servers[0]!.image_id = "img-win";
      },
      "image/Windows",
      ["image-metadata-missing:info", "image-provider-nonstandard:major"],
    ],
    [
      "provider image in use that scs-0104 does not list → minor",
      (inv) => {
        inv.images.push(providerImage("CentOS Stream 9", "centos", "9", { id: "img-centos" }));
        inv.servers[0]!.image_id = "img-centos";
      },
      "image/CentOS Stream 9",
      ["image-not-guaranteed:minor"],
    ],
    [
      "optional standard image → info",
      (inv) => {
        inv.images.push(providerImage("Ubuntu 22.04", "ubuntu", "22.04", { id: "img-jammy" }));
        inv.servers[0]!.image_id = "img-jammy";
      },
      "image/Ubuntu 22.04",
      ["image-not-guaranteed:info"],
    ],
    [
      "boot-from-volume server whose root volume came from a nonstandard provider image",
      (inv) => {
        inv.images.push(providerImage("Appliance", "x", "y", { id: "img-appl", properties: { architecture: "x86_64" } }));
        const root = inv.volumes.find((v) => v.name === "db-root")!;
        root.image_metadata = { image_id: "img-appl" };
        root.source_image_id = "img-appl";
      },
      "image/Appliance",
      ["image-metadata-missing:info", "image-provider-nonstandard:major"],
    ],
    [
      "a snapshot of the project is copied, not mapped: no standard-image finding",
      (inv) => {
        inv.images.push(anImage({ id: "img-snap", name: "web-1-snap", min_disk: 20, min_ram: 512, properties: { ...fullImageProps(), image_type: "snapshot" } }));
        inv.servers[0]!.image_id = "img-snap";
      },
      "image/web-1-snap",
      [],
    ],
    [
      "community image owned by the project",
      (inv) => (inv.images[1]!.visibility = "community"),
      "image/app-golden",
      ["image-shared:minor"],
    ],
  ])("%s", (_label, mutate, resource, expected) => {
    const inv = compliantInventory();
    mutate(inv);
    expect(imageFindings(inv, resource)).toEqual(expected);
  });

  it("lists the missing keys and a command that sets them", () => {
    const inv = compliantInventory();
    const golden = inv.images[1]!;
    golden.min_disk = 0;
    golden.properties = without(fullImageProps(), "os_distro", "os_purpose");
    const f = assessPortability(inv).findings.find((x) => x.id === "image-metadata-missing")!;
    expect(f.message).toBe(
      "image app-golden (owned by the project) lacks scs-0102 properties: min_disk, os_distro; os_purpose (for scs-0102-v2); 1 server: app-1 boot from it",
    );
    expect(f.fix).toContain('openstack image set --min-disk <GiB> --property os_distro=<value> --property os_purpose=<value> "app-golden"');
  });

  it("reports a gone image once, with every server that booted from it", () => {
    const inv = compliantInventory();
    for (const s of inv.servers) s.image_id = "img-gone";
    const gone = assessPortability(inv).findings.filter((f) => f.id === "image-gone");
    expect(gone).toHaveLength(1);
    expect(gone[0]!.message).toContain("3 servers: app-1, db-1, web-1 booted from image img-gone");
  });
});
