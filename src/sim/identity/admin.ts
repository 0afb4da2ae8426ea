/**
 * The provider's admin identity as the project services see it: which
 * requests carry an admin token, and which routes an admin token may use.
 *
 * Quirks: the simulator models one tenant project, so an admin token is only
 * served by the routes that manage quotas and flavors (and the read-only
 * lists those commands look at); anything else answers 403 in the service's
 * format rather than pretending the admin project owned the tenant's
 * resources. Member tokens on admin-only actions get the services' real
 * policy errors from the handlers.
 */
import type { CloudContext } from "../cloud-context.js";
import { ApiFault, cinderError, glanceError, neutronError, novaError, type ServiceKind } from "../core/errors.js";
import type { Ctx } from "../core/http.js";
import type { TokenRecord } from "../store/records.js";

/** True for a token of the admin user scoped to the admin project. */
export function isAdminToken(cloud: CloudContext, rec: TokenRecord | undefined): boolean {
  return rec !== undefined && rec.userId === cloud.store.admin.userId && rec.projectId === cloud.store.admin.projectId;
}

/** True when the request carries an admin token. */
export function isAdmin(cloud: CloudContext, ctx: Ctx): boolean {
  return isAdminToken(cloud, ctx.auth);
}

const ADMIN_ROUTES: Partial<Record<ServiceKind, RegExp>> = {
  compute: /^\/v2\.1(\/(flavors|os-quota-sets|limits|os-availability-zone)(\/.*)?)?\/?$/,
  volume: /^\/v3(\/[^/]+\/(os-quota-sets|types|limits)(\/.*)?)?\/?$/,
  network: /^\/v2\.0\/(quotas|extensions)(\/.*)?$/,
};

/** Whether an admin token may use this (authenticated) path of a project service. */
export function adminMayUse(kind: ServiceKind, path: string): boolean {
  return ADMIN_ROUTES[kind]?.test(path) ?? false;
}

/** The 403 for an admin token outside the routes the simulator serves it. */
export function adminOutOfScope(kind: ServiceKind): ApiFault {
  const msg = "The simulated admin identity manages quotas and flavors only; use the project's own credentials for its resources.";
  if (kind === "network") return neutronError(403, "HTTPForbidden", msg);
  if (kind === "volume") return cinderError(403, msg);
  if (kind === "image") return glanceError(403, msg);
  return novaError(403, msg);
}
