import { describe, expect, it } from "vitest";
import { ApiError, WaitError } from "../../src/errors.js";
import { waitFor, waitForDeleted } from "../../src/openstack/waiters.js";

const fast = { minDelay: 1, maxDelay: 2 };

function sequence<T>(...items: (T | Error)[]): () => Promise<T> {
  let i = 0;
  return async () => {
    const item = items[Math.min(i++, items.length - 1)] as T | Error;
    if (item instanceof Error) throw item;
    return item;
  };
}

const apiError = (status: number) =>
  new ApiError(`GET /x: ${status}`, { method: "GET", url: "/x", status, fault: status >= 500 ? "server" : "client", retryable: status >= 500 || status === 429 });

describe("waitFor", () => {
  it("returns the resource once it reaches a success status (case-insensitive)", async () => {
    const r = await waitFor(sequence({ status: "creating" }, { status: "AVAILABLE" }), { success: ["available"], ...fast });
    expect(r.status).toBe("AVAILABLE");
  });

  it("ends early on ERROR, error_* and killed, naming the resource and the detail", async () => {
    await expect(waitFor(sequence({ status: "BUILD" }, { status: "ERROR", fault: "no host" }), { success: ["ACTIVE"], what: "server/x", detailOf: (s) => s.fault, ...fast })).rejects.toThrow(
      "server/x went to ERROR (waiting for ACTIVE): no host",
    );
    const err = await waitFor(sequence({ status: "error_extending" }), { success: ["available"], ...fast }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitError);
    expect((err as WaitError).lastStatus).toBe("error_extending");
    expect((err as WaitError).reason).toBe("terminal");
    await expect(waitFor(sequence({ status: "killed" }), { success: ["active"], ...fast })).rejects.toBeInstanceOf(WaitError);
  });

  it("gives up at the timeout with the last status", async () => {
    const err = await waitFor(sequence({ status: "BUILD" }), { success: ["ACTIVE"], what: "server/y", timeoutMs: 20, ...fast }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitError);
    expect((err as WaitError).reason).toBe("timeout");
    expect((err as Error).message).toMatch(/^server\/y is still BUILD after \d+ s \(waiting for ACTIVE\)$/);
  });

  it("tolerates transient API errors but not others", async () => {
    expect((await waitFor(sequence<{ status: string }>(apiError(503), { status: "ACTIVE" }), { success: ["ACTIVE"], ...fast })).status).toBe("ACTIVE");
    await expect(waitFor(sequence<{ status: string }>(apiError(403)), { success: ["ACTIVE"], ...fast })).rejects.toBeInstanceOf(ApiError);
  });

  it("stops when the signal aborts", async () => {
    const ac = new AbortController();
    const p = waitFor(sequence({ status: "BUILD" }), { success: ["ACTIVE"], minDelay: 50, maxDelay: 50, signal: ac.signal });
    ac.abort(new Error("interrupted"));
    await expect(p).rejects.toThrow("interrupted");
  });

  it("reads the status through statusOf", async () => {
    const r = await waitFor(sequence({ state: "pending" }, { state: "done" }), { success: ["done"], statusOf: (x) => x.state, ...fast });
    expect(r.state).toBe("done");
  });
});

describe("waitForDeleted", () => {
  it("counts a 404 as success", async () => {
    await waitForDeleted(sequence<{ status: string }>({ status: "deleting" }, apiError(404)), fast);
  });

  it("fails on error_deleting", async () => {
    await expect(waitForDeleted(sequence({ status: "deleting" }, { status: "error_deleting" }), { what: "volume/v", ...fast })).rejects.toThrow(
      "volume/v went to error_deleting",
    );
  });
});
