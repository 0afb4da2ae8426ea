/** Load-balancer settings that do not carry over are rated by assess. */
import { describe, expect, it } from "vitest";
import { featureRule } from "../../src/assess/check-features.js";

describe("load-balancer features in assess", () => {
  it("rates Barbican certificates major, provider flavors and zones minor, each with a fix", () => {
    expect(featureRule("lb-tls-secret")).toMatchObject({ severity: "major", fix: expect.stringMatching(/key manager/) });
    expect(featureRule("lb-flavor")).toMatchObject({ severity: "minor", fix: expect.stringMatching(/loadBalancerFlavors/) });
    expect(featureRule("lb-availability-zone")?.severity).toBe("minor");
  });
});
