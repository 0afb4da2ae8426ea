import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, EXIT } from "../../../src/errors.js";
import {
  EMPTY_MAPPING,
  emptyMapping,
  formatIssuePath,
  loadMappingFile,
  matchExclude,
  parseMappingFile,
  type MappingFile,
} from "../../../src/mapping/mapping-file.js";

const dir = mkdtempSync(join(tmpdir(), "mapping-file-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function loadError(path: string): Promise<ConfigError> {
  try {
    await loadMappingFile(path);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected ${path} to be rejected`);
}

const FULL_YAML = `# acme-prod → new cloud
flavors:
  m1.large: SCS-4V-16
  "m1.xlarge": SCS-8V-32
images:
  Ubuntu 22.04: Ubuntu 24.04
  golden-base: copy
volumeTypes:
  ceph-ssd: rbd-luks
availabilityZones:
  nova: de-1a
externalNetwork: public
statelessServers: [web-1, web-2]
exclude:
  - server/test-*
  - volume/scratch
throughputMBps: 80
`;

const FULL: MappingFile = {
  flavors: { "m1.large": "SCS-4V-16", "m1.xlarge": "SCS-8V-32" },
  images: { "Ubuntu 22.04": "Ubuntu 24.04", "golden-base": "copy" },
  volumeTypes: { "ceph-ssd": "rbd-luks" },
  availabilityZones: { nova: "de-1a" },
  loadBalancerProviders: {},
  loadBalancerFlavors: {},
  externalNetwork: "public",
  statelessServers: ["web-1", "web-2"],
  exclude: ["server/test-*", "volume/scratch"],
  throughputMBps: 80,
};

describe("loadMappingFile: valid files", () => {
  it("reads a full YAML file", async () => {
    expect(await loadMappingFile(write("full.yaml", FULL_YAML))).toEqual(FULL);
  });

  it("reads the same content as JSON", async () => {
    expect(await loadMappingFile(write("full.json", JSON.stringify(FULL, null, 2)))).toEqual(FULL);
  });

  it.each([
    ["an empty file", ""],
    ["a file with only comments", "# nothing to map yet\n"],
    ["an empty JSON object", "{}"],
  ])("reads %s as the empty mapping", async (_label, text) => {
    expect(await loadMappingFile(write(`empty-${text.length}.yaml`, text))).toEqual(EMPTY_MAPPING);
  });

  it("fills in every key that is left out", async () => {
    const m = await loadMappingFile(write("partial.yaml", "flavors:\n  m1.small: SCS-1V-2\n"));
    expect(m).toEqual({ ...emptyMapping(), flavors: { "m1.small": "SCS-1V-2" } });
  });

  it("keeps the empty default frozen so no caller can change it for others", () => {
    expect(EMPTY_MAPPING).toEqual({
      flavors: {},
      images: {},
      loadBalancerProviders: {},
      loadBalancerFlavors: {},
      volumeTypes: {},
      availabilityZones: {},
      externalNetwork: null,
      statelessServers: [],
      exclude: [],
      throughputMBps: null,
    });
    expect(Object.isFrozen(EMPTY_MAPPING.flavors)).toBe(true);
    expect(emptyMapping()).not.toBe(emptyMapping());
  });
});

describe("loadMappingFile: broken files", () => {
  it("names the file and the line of a YAML syntax error", async () => {
    const p = write("broken.yaml", "flavors:\n  m1.large: [SCS-4V-16\nimages: {}\n");
    const err = await loadError(p);
    expect(err.message).toBe(`mapping file ${p} is not valid YAML or JSON`);
    expect(err.code).toBe("E_CONFIG");
    expect(err.exitCode).toBe(EXIT.CONFIG);
    expect(err.details.length).toBeGreaterThan(0);
    expect(err.details[0]).toMatch(/^line 3, column 1: /);
  });

  it("rejects duplicate keys", async () => {
    const err = await loadError(write("dup.yaml", "flavors:\n  m1.large: SCS-4V-16\n  m1.large: SCS-4V-32\n"));
    expect(err.details.join("\n")).toMatch(/^line 3, column 3: Map keys must be unique/);
  });

  it("rejects broken JSON", async () => {
    const err = await loadError(write("broken.json", '{"flavors": {"m1.large": "SCS-4V-16",}'));
    expect(err.message).toMatch(/is not valid YAML or JSON$/);
  });

  it("lists every wrong type, each as path: message", async () => {
    const p = write(
      "types.yaml",
      [
        "flavors:",
        "  m1.large: 4",
        '  "": SCS-1V-2',
        "images: [Ubuntu]",
        "volumeTypes:",
        "  ssd: ''",
        "externalNetwork: 12",
        "statelessServers: web-1",
        "exclude: [server/a, 3]",
        "throughputMBps: -5",
        "flavour: {}",
        "",
      ].join("\n"),
    );
    const err = await loadError(p);
    expect(err.message).toBe(`mapping file ${p} has 9 problems`);
    expect(err.details).toEqual([
      'flavors["m1.large"]: Invalid input: expected string, received number',
      'flavors[""]: keys must not be empty',
      "images: Invalid input: expected record, received array",
      "volumeTypes.ssd: must not be empty",
      "externalNetwork: Invalid input: expected string, received number",
      "statelessServers: Invalid input: expected array, received string",
      "exclude[1]: Invalid input: expected string, received number",
      "throughputMBps: Too small: expected number to be >0",
      '(top level): Unrecognized key: "flavour"',
    ]);
  });

  it("rejects a file whose top level is not a mapping", async () => {
    const err = await loadError(write("list.yaml", "- flavors\n"));
    expect(err.details).toEqual(["(top level): Invalid input: expected object, received array"]);
  });

  it("names a file that does not exist", async () => {
    const p = join(dir, "missing.yaml");
    const err = await loadError(p);
    expect(err.message).toBe(`mapping file ${p} does not exist`);
  });
});

describe("parseMappingFile", () => {
  it("names the given source in errors", () => {
    expect(() => parseMappingFile("flavors: 3", "inline.yaml")).toThrow("mapping file inline.yaml has 1 problem");
  });
});

describe("formatIssuePath", () => {
  it.each<[PropertyKey[], string]>([
    [[], "(top level)"],
    [["flavors"], "flavors"],
    [["flavors", "m1.large"], 'flavors["m1.large"]'],
    [["images", "Ubuntu 24.04"], 'images["Ubuntu 24.04"]'],
    [["volumeTypes", "ssd"], "volumeTypes.ssd"],
    [["exclude", 2], "exclude[2]"],
  ])("%j → %s", (path, text) => {
    expect(formatIssuePath(path)).toBe(text);
  });
});

describe("matchExclude", () => {
  const patterns = ["server/test-*", "volume/scratch", "image/cirros-?.?"];
  it.each<[string, string | null]>([
    ["server/test-1", "server/test-*"],
    ["server/test-", "server/test-*"],
    ["server/prod-1", null],
    ["volume/scratch", "volume/scratch"],
    ["volume/scratch-2", null],
    ["image/cirros-0.6", "image/cirros-?.?"],
    ["image/cirros-0x6", null],
    ["image/cirros-0.6.2", null],
  ])("%s → %s", (stepId, want) => {
    expect(matchExclude(stepId, patterns)).toBe(want);
  });

  it("treats regex characters in patterns literally", () => {
    expect(matchExclude("network/a+b", ["network/a+b"])).toBe("network/a+b");
    expect(matchExclude("network/aab", ["network/a+b"])).toBeNull();
  });
});
