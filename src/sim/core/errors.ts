/**
 * Error replies in each service's own format, copied from a real Zed cloud:
 * - Nova and Cinder: `{"itemNotFound": {"code": 404, "message": …}}`, the key
 *   named after the status (their wsgi `_fault_names` table).
 * - Neutron: `{"NeutronError": {"type": …, "message": …, "detail": ""}}`.
 * - Keystone: compact `{"error":{"code":…,"message":…,"title":…}}`.
 * - Glance, and every service's unknown-route 404: webob's HTML page
 *   (`<html><head><title>404 Not Found</title>…`), whose exact whitespace is
 *   reproduced because some clients show it verbatim.
 * - Token failures on service APIs come from keystonemiddleware (JSON, or HTML for Glance).
 */

/** A reply that aborts request handling; thrown by handlers and domain code. */
export class ApiFault extends Error {
  constructor(
    readonly status: number,
    readonly body: string | object,
    readonly contentType = "application/json",
    readonly headers: Record<string, string> = {},
    /** What webob sends instead of its HTML page when the client accepts JSON. */
    readonly jsonBody?: object,
  ) {
    super(typeof body === "string" ? body.slice(0, 200) : JSON.stringify(body).slice(0, 200));
  }
}

const REASONS: Record<number, string> = {
  400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
  406: "Not Acceptable", 409: "Conflict", 413: "Request Entity Too Large", 415: "Unsupported Media Type",
  500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable",
};

/** The HTTP reason phrase for a status. */
export function reason(status: number): string {
  return REASONS[status] ?? "Error";
}

const NOVA_FAULT_NAMES: Record<number, string> = {
  400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "itemNotFound", 405: "badMethod",
  409: "conflictingRequest", 413: "overLimit", 415: "badMediaType", 429: "overLimit",
  501: "notImplemented", 503: "serviceUnavailable",
};

/** A Nova error (`{"itemNotFound": {"code": 404, "message": …}}`). */
export function novaError(status: number, message: string): ApiFault {
  const key = NOVA_FAULT_NAMES[status] ?? "computeFault";
  return new ApiFault(status, { [key]: { code: status, message } }, "application/json; charset=UTF-8");
}

/** A Cinder error; same fault-name table as Nova, code first in the body. */
export function cinderError(status: number, message: string, extra: Record<string, unknown> = {}): ApiFault {
  const key = NOVA_FAULT_NAMES[status] ?? "computeFault";
  return new ApiFault(status, { [key]: { code: status, message, ...extra } });
}

/** A Neutron error (`NeutronError` with type, message and an empty detail). */
export function neutronError(status: number, type: string, message: string): ApiFault {
  return new ApiFault(status, { NeutronError: { type, message, detail: "" } });
}

/** An Octavia error: pecan/wsme's `{"faultcode", "faultstring", "debuginfo"}`. */
export function octaviaError(status: number, message: string): ApiFault {
  return new ApiFault(status, { faultcode: status >= 500 ? "Server" : "Client", faultstring: message, debuginfo: null });
}

/** A Keystone error body. */
export function keystoneError(status: number, message: string, title = reason(status)): ApiFault {
  return new ApiFault(status, { error: { code: status, message, title } });
}

/**
 * webob's default HTML error page. `explanation` is the first line; `detail`
 * (optional) follows after the double `<br />`, as webob renders it.
 */
export function webobHtml(status: number, explanation: string, detail = ""): string {
  const title = `${status} ${reason(status)}`;
  return `<html>\n <head>\n  <title>${title}</title>\n </head>\n <body>\n  <h1>${title}</h1>\n  ${escapeHtml(explanation)}<br /><br />\n${escapeHtml(detail)}\n\n\n </body>\n</html>`;
}

/** webob's plain-text error page (used by Glance for some 413s). */
export function webobPlain(status: number, explanation: string, detail = ""): string {
  return `${status} ${reason(status)}\n\n${explanation}\n\n${detail}\n\n`;
}

/** A Glance error: webob HTML with the message as explanation. */
export function glanceError(status: number, message: string, detail = "", headers: Record<string, string> = {}): ApiFault {
  // Real Glance (webob): JSON for `Accept: application/json`, the HTML page otherwise (fixtures/real/glance/404-*).
  const json = { message: `${message}<br /><br />\n${detail}\n\n`, code: `${status} ${reason(status)}`, title: reason(status) };
  return new ApiFault(status, webobHtml(status, message, detail), "text/html; charset=UTF-8", headers, json);
}

/** The default explanation webob gives a status when the service supplies only a detail. */
export const WEBOB_DEFAULT_EXPLANATION: Record<number, string> = {
  400: "The server could not comply with the request since it is either malformed or otherwise incorrect.",
  404: "The resource could not be found.",
  405: "The method is not allowed for this resource.",
  409: "There was a conflict when trying to complete your request.",
  500: "The server has either erred or is incapable of performing the requested operation.",
};

/** The 404 every service returns for a path it does not route. */
export function unknownRoute(): ApiFault {
  return new ApiFault(404, webobHtml(404, "The resource could not be found."), "text/html; charset=UTF-8");
}

/** Escapes like Python's html.escape (quotes become `&#x27;`). */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
}

/** The services a request can belong to (decides the error format). */
export type ServiceKind = "identity" | "compute" | "network" | "volume" | "image" | "load-balancer";

/** keystonemiddleware's 401 on a service API, with its WWW-Authenticate header. */
export function tokenRejected(service: ServiceKind, identityUri: string): ApiFault {
  const headers = { "WWW-Authenticate": `Keystone uri="${identityUri}"` };
  if (service === "image") {
    const explanation =
      "This server could not verify that you are authorized to access the document you requested. Either you supplied the wrong credentials (e.g., bad password), or your browser does not understand how to supply the credentials required.";
    return new ApiFault(
      401,
      `<html>\n <head>\n  <title>401 Unauthorized</title>\n </head>\n <body>\n  <h1>401 Unauthorized</h1>\n  ${explanation}<br /><br />\n\n\n\n </body>\n</html>`,
      "text/html; charset=UTF-8",
      headers,
      { message: `${explanation}<br /><br />\n\n\n`, code: "401 Unauthorized", title: "Unauthorized" },
    );
  }
  if (service === "identity") {
    return new ApiFault(401, { error: { code: 401, message: "The request you have made requires authentication.", title: "Unauthorized" } }, "application/json", headers);
  }
  return new ApiFault(
    401,
    { error: { code: 401, title: "Unauthorized", message: "The request you have made requires authentication." } },
    "application/json",
    headers,
  );
}

/** An injected server-side failure in the service's own format (500 or 503). */
export function injectedFailure(service: ServiceKind, status: 500 | 503): ApiFault {
  if (status === 503) {
    // Why: in production a 503 nearly always comes from the load balancer in front of the API.
    return new ApiFault(503, "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n", "text/html", { "Cache-Control": "no-cache" });
  }
  switch (service) {
    case "compute":
      return novaError(500, "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.\n<class 'oslo_db.exception.DBConnectionError'>");
    case "volume":
      return cinderError(500, "The server has either erred or is incapable of performing the requested operation.");
    case "network":
      return neutronError(500, "HTTPInternalServerError", "Request Failed: internal server error while processing your request.");
    case "identity":
      return keystoneError(500, "An unexpected error prevented the server from fulfilling your request.", "Internal Server Error");
    case "image":
      return glanceError(500, "The server has either erred or is incapable of performing the requested operation.");
    case "load-balancer":
      return octaviaError(500, "The server has either erred or is incapable of performing the requested operation.");
  }
}
