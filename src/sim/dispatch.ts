/**
 * Request dispatch for one cloud: picks the service by URL prefix, applies
 * faults (latency, connection reset, injected 500/503), validates the token,
 * negotiates microversions, routes, and turns thrown faults into the
 * service's own error replies.
 *
 * Quirks (as keystonemiddleware): the token is checked before routing, so an
 * unknown path with a bad token is a 401, not a 404; version documents need
 * no token; a token scoped to another project or unscoped is rejected by the
 * project services, except the provider admin's on the routes it manages
 * (identity/admin.ts). Unexpected exceptions become the service's 500 body and
 * are logged at debug level.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { log } from "../log.js";
import type { CloudContext, SimService } from "./cloud-context.js";
import { ApiFault, injectedFailure, tokenRejected, unknownRoute, webobHtml } from "./core/errors.js";
import { send, sendFault, type Ctx } from "./core/http.js";
import { requestId } from "./core/ids.js";
import { sleep } from "./core/scheduler.js";
import { adminMayUse, adminOutOfScope, isAdminToken } from "./identity/admin.js";
import { validateToken } from "./identity/tokens.js";

/** Dispatches one request to the cloud's services. */
export async function dispatch(cloud: CloudContext, services: SimService[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? "/";
  const qi = url.indexOf("?");
  const rawPath = (qi < 0 ? url : url.slice(0, qi)).replace(/\/{2,}/g, "/");
  const rawQuery = qi < 0 ? "" : url.slice(qi + 1);
  const rid = requestId();
  const svc = services.find((s) => rawPath === s.prefix || rawPath.startsWith(`${s.prefix}/`));
  const sub = svc ? rawPath.slice(svc.prefix.length) : rawPath;
  const ctx: Ctx = {
    req,
    res,
    method: req.method ?? "GET",
    path: svc?.normalizePath ? svc.normalizePath(sub) : sub,
    query: new URLSearchParams(rawQuery),
    rawQuery,
    requestId: rid,
    baseUrl: cloud.baseUrl,
    params: [],
    mv: 0,
    respHeaders: { "x-openstack-request-id": rid },
  };

  const latency = cloud.faults.latency();
  if (latency > 0) await sleep(latency);
  const fault = cloud.faults.drawRequest();
  if (fault.kind === "reset") {
    req.socket.destroy();
    return;
  }
  if (!svc) {
    send(ctx, { status: 404, text: webobHtml(404, "The resource could not be found."), contentType: "text/html; charset=UTF-8" });
    return;
  }
  svc.decorate?.(ctx);
  if (fault.kind === "error") {
    drain(req);
    sendFault(ctx, injectedFailure(svc.kind, fault.status));
    return;
  }
  try {
    const m = svc.router.match(ctx.method, ctx.path);
    if (m.kind !== "ok" || m.auth) {
      const header = req.headers["x-auth-token"];
      const rec = validateToken(cloud, typeof header === "string" ? header : undefined, Date.now());
      const projectBound = svc.kind !== "identity";
      const admin = isAdminToken(cloud, rec);
      if (!rec || (projectBound && rec.projectId !== cloud.store.identity.projectId && !admin)) {
        throw tokenRejected(svc.kind, `${cloud.baseUrl}/identity`);
      }
      ctx.auth = rec;
      if (admin && projectBound && m.kind === "ok" && !adminMayUse(svc.kind, ctx.path)) throw adminOutOfScope(svc.kind);
    }
    if (m.kind !== "ok" || !m.bare) svc.prepare?.(ctx);
    if (m.kind === "none") throw svc.notFound?.() ?? unknownRoute();
    if (m.kind === "method") {
      throw new ApiFault(405, webobHtml(405, "The method is not allowed for this resource."), "text/html; charset=UTF-8", { Allow: m.allowed.join(", ") });
    }
    ctx.params = m.params;
    const reply = await m.handler(ctx);
    if (reply) send(ctx, reply);
  } catch (err) {
    if (!(err instanceof ApiFault)) log.debug("Simulated cloud handler failed", { cloud: cloud.name, path: rawPath, error: String(err instanceof Error ? err.stack : err) });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    drain(req);
    sendFault(ctx, err instanceof ApiFault ? err : injectedFailure(svc.kind, 500));
  }
}

// Why: answering before the body is consumed would stall keep-alive clients still sending it.
function drain(req: IncomingMessage): void {
  if (!req.complete) req.resume();
}
