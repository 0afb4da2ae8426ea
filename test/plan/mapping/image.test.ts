import { describe, expect, it } from "vitest";
import type { Image } from "../../../src/model/inventory.js";
import { mapImage, type ImageMapping } from "../../../src/mapping/image.js";
import { anImage } from "./builders.js";

const ubuntu = (over: Partial<Image> = {}, props: Record<string, string> = {}): Image =>
  anImage({
    name: "Ubuntu 24.04",
    ...over,
    properties: { os_distro: "ubuntu", os_version: "24.04", architecture: "x86_64", os_purpose: "generic", ...props },
  });

const PROJECT = "src-project";

type Want = { use: string; basis: string } | { copy: string } | { error: RegExp };

function check(r: ImageMapping, want: Want): void {
  if ("use" in want) {
    expect(r.action, JSON.stringify(r)).toBe("use-target");
    if (r.action === "use-target") expect({ use: r.targetImage.name, basis: r.basis }).toEqual(want);
  } else if ("copy" in want) {
    expect(r.action, JSON.stringify(r)).toBe("copy");
    if (r.action === "copy") expect(r.basis).toBe(want.copy);
  } else {
    expect(r.action, JSON.stringify(r)).toBe("error");
    if (r.action === "error") expect(r.reason).toMatch(want.error);
  }
}

describe("mapImage", () => {
  const cases: [string, Image, Image[], Record<string, string>, Want][] = [
    [
      "a standard image maps to the newest public generic image with the same metadata",
      ubuntu({ name: "Ubuntu 24.04 (2024-05)" }),
      [
        ubuntu({ name: "Ubuntu 24.04 old", created_at: "2025-01-01T00:00:00Z" }),
        ubuntu({ name: "Ubuntu 24.04", created_at: "2025-06-01T00:00:00Z" }),
        ubuntu({ name: "Ubuntu 24.04 minimal", created_at: "2025-07-01T00:00:00Z" }, { os_purpose: "minimal" }),
        ubuntu({ name: "Ubuntu 24.04 arm", created_at: "2025-08-01T00:00:00Z" }, { architecture: "aarch64" }),
        ubuntu({ name: "Ubuntu 22.04", created_at: "2025-09-01T00:00:00Z" }, { os_version: "22.04" }),
      ],
      {},
      { use: "Ubuntu 24.04", basis: "scs-metadata" },
    ],
    [
      "without a source purpose, generic beats a newer special-purpose image",
      ubuntu({}, { os_purpose: "" }),
      [ubuntu({ name: "capi", created_at: "2025-09-01T00:00:00Z" }, { os_purpose: "k8snode" }), ubuntu({ name: "generic", created_at: "2025-01-01T00:00:00Z" })],
      {},
      { use: "generic", basis: "scs-metadata" },
    ],
    [
      "a target image without os_purpose still matches",
      ubuntu(),
      [ubuntu({ name: "no purpose" }, { os_purpose: "" })],
      {},
      { use: "no purpose", basis: "scs-metadata" },
    ],
    [
      "a different purpose on both sides is no match",
      ubuntu({ name: "ubuntu-capi-image-v1.30.1" }, { os_purpose: "k8snode" }),
      [ubuntu({ name: "Ubuntu 24.04" })],
      {},
      { copy: "no-match" },
    ],
    [
      "a visible image beats a newer hidden one",
      ubuntu(),
      [ubuntu({ name: "hidden", created_at: "2025-09-01T00:00:00Z" }, { os_hidden: "true" }), ubuntu({ name: "visible", created_at: "2025-01-01T00:00:00Z" })],
      {},
      { use: "visible", basis: "scs-metadata" },
    ],
    [
      "equal dates fall back to the name",
      ubuntu(),
      [ubuntu({ name: "b" }), ubuntu({ name: "a" })],
      {},
      { use: "a", basis: "scs-metadata" },
    ],
    [
      "a missing architecture counts as x86_64, and amd64 means x86_64",
      ubuntu({}, { architecture: "" }),
      [ubuntu({ name: "amd64 build" }, { architecture: "amd64" })],
      {},
      { use: "amd64 build", basis: "scs-metadata" },
    ],
    [
      "os_distro compares without case",
      ubuntu({}, { os_distro: "Ubuntu" }),
      [ubuntu({ name: "lower" })],
      {},
      { use: "lower", basis: "scs-metadata" },
    ],
    [
      "os_version compares as text",
      ubuntu({ name: "src-24.04.1" }, { os_version: "24.04.1" }),
      [ubuntu()],
      {},
      { copy: "no-match" },
    ],
    [
      "an image without metadata falls back to the same name",
      anImage({ name: "cirros-0.6.2" }),
      [anImage({ name: "cirros-0.6.2", created_at: "2024-01-01T00:00:00Z" }), anImage({ name: "cirros-0.6.2", created_at: "2025-01-01T00:00:00Z" })],
      {},
      { use: "cirros-0.6.2", basis: "same-name" },
    ],
    [
      "a same-name image with contradicting architecture is no match",
      ubuntu(),
      [ubuntu({}, { architecture: "aarch64" })],
      {},
      { copy: "no-match" },
    ],
    [
      "a private target image of the same name is not used",
      anImage({ name: "cirros" }),
      [anImage({ name: "cirros", visibility: "private" })],
      {},
      { copy: "no-match" },
    ],
    [
      "an inactive target image is not used",
      ubuntu(),
      [ubuntu({ status: "deactivated" })],
      {},
      { copy: "no-match" },
    ],
    [
      "a public snapshot on the target is not used",
      anImage({ name: "cirros" }),
      [anImage({ name: "cirros", properties: { image_type: "snapshot" } })],
      {},
      { copy: "no-match" },
    ],
    ["a snapshot is copied", ubuntu({ name: "web-1 backup" }, { image_type: "snapshot" }), [ubuntu()], {}, { copy: "snapshot" }],
    ["an image the project owns is copied", ubuntu({ owner: PROJECT }), [ubuntu()], {}, { copy: "owned-by-project" }],
    ["a private image is copied", ubuntu({ visibility: "private", owner: "other" }), [ubuntu()], {}, { copy: "not-public" }],
    ["a shared image is copied", ubuntu({ visibility: "shared", owner: "other" }), [ubuntu()], {}, { copy: "not-public" }],
    ["an override to a target name wins", ubuntu(), [ubuntu(), anImage({ name: "Golden" })], { "Ubuntu 24.04": "Golden" }, { use: "Golden", basis: "override" }],
    ["an override can force a copy", ubuntu(), [ubuntu()], { "Ubuntu 24.04": "copy" }, { copy: "override" }],
    [
      "an override naming a missing image is an error",
      ubuntu(),
      [ubuntu()],
      { "Ubuntu 24.04": "Ubuntu 26.04" },
      { error: /^image Ubuntu 24\.04: the mapping file maps it to Ubuntu 26\.04, which is not an active image on the target$/ },
    ],
  ];

  it.each(cases)("%s", (_label, src, targets, overrides, want) => {
    check(mapImage(src, targets, overrides, { sourceProjectId: PROJECT }), want);
    check(mapImage(src, [...targets].reverse(), overrides, { sourceProjectId: PROJECT }), want);
  });

  it("says what it looked for when nothing matches", () => {
    const r = mapImage(ubuntu(), [], {}, {});
    expect(r).toEqual({
      action: "copy",
      basis: "no-match",
      reason: 'no public target image matches ubuntu 24.04 x86_64 or the name "Ubuntu 24.04"',
    });
  });

  it("notes an assumed architecture", () => {
    const r = mapImage(ubuntu({}, { architecture: "" }), [ubuntu()], {});
    expect(r.action === "use-target" && r.note).toContain("x86_64 assumed");
  });

  it("returns the target image id", () => {
    const t = ubuntu({ id: "img-123" });
    const r = mapImage(ubuntu(), [t], {});
    expect(r.action === "use-target" && r.targetImage).toEqual({ id: "img-123", name: "Ubuntu 24.04" });
  });
});
