/**
 * Redaction cannot be escaped by encoding: a registered secret is hidden raw,
 * JSON-escaped (once or twice, ASCII-only too), URL-encoded (%20 and +),
 * HTML-escaped, base64 and base64url, also inside a longer encoded value such
 * as a basic-auth header. Credential-looking JSON values are hidden even when
 * they were never registered.
 */
import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { clearSecretsForTest, redact, registerSecret } from "../../src/log.js";

afterEach(() => clearSecretsForTest());

const NASTY = ['pa"ss\\word', "ünï €😀 密码", "50%+off now", "line1\nline2\r\n", "a+b/c=d?e&f", "<tag attr='x'>&amp;"];

function encodings(s: string, user = "alice"): Record<string, string> {
  const json = JSON.stringify(s).slice(1, -1);
  return {
    raw: s,
    json,
    jsonTwice: JSON.stringify(json).slice(1, -1),
    jsonAscii: json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
    uri: encodeURIComponent(s),
    uriLower: encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    form: new URLSearchParams({ p: s }).toString().slice(2),
    base64: Buffer.from(s).toString("base64"),
    base64url: Buffer.from(s).toString("base64url"),
    basicAuth: Buffer.from(`${user}:${s}`).toString("base64"),
    basicAuthOtherUser: Buffer.from(`bob-the-admin:${s}`).toString("base64"),
    html: s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;"),
  };
}

describe("redact", () => {
  it.each(NASTY)("hides %j in every encoding", (secret) => {
    registerSecret(secret);
    for (const [name, enc] of Object.entries(encodings(secret))) {
      const out = redact(`before ${enc} after`);
      expect(out, name).not.toContain(enc);
      expect(out, name).toMatch(/^before .*\*\*\*.* after$/s);
    }
  });

  it("hides credential values in JSON even when they were never registered", () => {
    const body = JSON.stringify({ auth: { identity: { password: { user: { name: "u", password: 'un"registered' } }, token: { id: "tok-unregistered-1" } } }, secret: "s3" });
    const out = redact(body);
    expect(out).not.toContain("registered");
    expect(out).not.toContain("tok-unregistered-1");
    expect(out).toContain('"name":"u"');
    expect(redact("Authorization: Basic YWxpY2U6c2VjcmV0")).toBe("Authorization: Basic ***");
  });

  it("accepts a secret with a lone surrogate (it cannot be URL-encoded) and still hides it raw and in JSON", () => {
    const odd = "half\ud800pair-secret";
    expect(() => registerSecret(odd)).not.toThrow();
    expect(redact(`x ${odd} ${JSON.stringify(odd)}`)).toBe('x *** "***"');
  });

  it("property: a registered secret of at least 8 characters never survives in any encoding", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8, maxLength: 24, unit: "binary" }), fc.string({ maxLength: 10 }), (secret, around) => {
        clearSecretsForTest();
        registerSecret(secret);
        for (const [name, enc] of Object.entries(encodings(secret))) {
          if (name === "html") continue;
          const out = redact(`${around}${enc}${around}`);
          if (out.includes(enc)) return false;
        }
        return true;
      }),
      { numRuns: 150 },
    );
  });
});
