/**
 * Microversion negotiation for Nova (`OpenStack-API-Version: compute X.Y` or
 * the legacy `X-OpenStack-Nova-API-Version: X.Y`) and Cinder
 * (`OpenStack-API-Version: volume 3.N`). Replies echo the chosen version and
 * carry `Vary`, as the real services do; `latest` means the maximum.
 *
 * Quirks (copied from Zed): a malformed version is a 400 with "API Version
 * String abc is of invalid format…", an out-of-range one a 406 whose fault key
 * is `computeFault` in both Nova and Cinder (406 is not in their fault-name table).
 */
import { cinderError, novaError } from "./errors.js";
import type { Ctx } from "./http.js";

/** Encodes "2.79" as 2079. */
export function mvCode(v: string): number {
  const [a = "0", b = "0"] = v.split(".");
  return Number(a) * 1000 + Number(b);
}

/** Decodes 2079 as "2.79". */
export function mvString(code: number): string {
  return `${Math.floor(code / 1000)}.${code % 1000}`;
}

/** Compute API microversion range served. */
export const COMPUTE_MIN = "2.1";
export const COMPUTE_MAX = "2.96";
/** Block-storage API microversion range served. */
export const VOLUME_MIN = "3.0";
export const VOLUME_MAX = "3.70";

function headerFor(ctx: Ctx, service: string): string | undefined {
  const h = ctx.req.headers["openstack-api-version"];
  const values = Array.isArray(h) ? h.join(",") : h;
  if (values) {
    for (const part of values.split(",")) {
      const [svc, ver] = part.trim().split(/\s+/);
      if (svc?.toLowerCase() === service && ver) return ver;
    }
  }
  if (service === "compute") {
    const legacy = ctx.req.headers["x-openstack-nova-api-version"];
    if (typeof legacy === "string" && legacy.trim()) return legacy.trim();
  }
  return undefined;
}

/** Negotiates the compute microversion, sets ctx.mv and the echo headers. */
export function negotiateCompute(ctx: Ctx): void {
  const asked = headerFor(ctx, "compute");
  echoOn406(ctx, asked, "compute");
  const chosen = resolve(asked, COMPUTE_MIN, COMPUTE_MAX, (status, msg) => novaError(status, msg));
  ctx.mv = mvCode(chosen);
  ctx.respHeaders["OpenStack-API-Version"] = `compute ${chosen}`;
  ctx.respHeaders["X-OpenStack-Nova-API-Version"] = chosen;
  ctx.respHeaders["Vary"] = "OpenStack-API-Version, X-OpenStack-Nova-API-Version";
}

/** Negotiates the volume microversion, sets ctx.mv and the echo headers. */
export function negotiateVolume(ctx: Ctx): void {
  const asked = headerFor(ctx, "volume");
  echoOn406(ctx, asked, "volume");
  const chosen = resolve(asked, VOLUME_MIN, VOLUME_MAX, (status, msg) => cinderError(status, msg));
  ctx.mv = mvCode(chosen);
  ctx.respHeaders["OpenStack-API-Version"] = `volume ${chosen}`;
  ctx.respHeaders["Vary"] = "OpenStack-API-Version";
}

// Why: a 406 still echoes the version the client asked for (seen on Zed).
function echoOn406(ctx: Ctx, asked: string | undefined, service: string): void {
  if (!asked || !/^\d+\.\d+$/.test(asked)) return;
  ctx.respHeaders["OpenStack-API-Version"] = `${service} ${asked}`;
  if (service === "compute") ctx.respHeaders["X-OpenStack-Nova-API-Version"] = asked;
  ctx.respHeaders["Vary"] = service === "compute" ? "OpenStack-API-Version, X-OpenStack-Nova-API-Version" : "OpenStack-API-Version";
}

function resolve(asked: string | undefined, min: string, max: string, err: (status: number, msg: string) => Error): string {
  if (!asked) return min;
  if (asked.toLowerCase() === "latest") return max;
  if (!/^\d+\.\d+$/.test(asked)) {
    throw err(400, `API Version String ${asked} is of invalid format. Must be of format MajorNum.MinorNum.`);
  }
  const code = mvCode(asked);
  if (code < mvCode(min) || code > mvCode(max)) {
    throw err(406, `Version ${mvString(code)} is not supported by the API. Minimum is ${min} and maximum is ${max}.`);
  }
  return mvString(code);
}
