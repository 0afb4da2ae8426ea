/**
 * The human message inside an OpenStack error body. Every service wraps it
 * differently (seen on a live Zed deployment and in the API references):
 * - Nova and Cinder: `{"itemNotFound": {"code": 404, "message": "…"}}` (the
 *   key names the fault: badRequest, conflictingRequest, overLimit, …);
 * - Neutron: `{"NeutronError": {"type": "NetworkNotFound", "message": "…", "detail": ""}}`;
 * - Keystone: `{"error": {"code": 401, "title": "Unauthorized", "message": "…"}}`;
 * - Glance: `{"message": "No image found with ID …<br /><br />", "code": "404 Not Found",
 *   "title": "Not Found"}` when asked for JSON (HTML line breaks inside the
 *   message), else an HTML page with the same text;
 * - Octavia and some proxies: `{"faultcode": …, "faultstring": "…"}` or
 *   `{"message": "…"}`.
 */

/** Extracts "Type: message" from an error body; falls back to the body's first text. */
export function faultMessage(body: string | undefined | null): string | undefined {
  if (!body) return undefined;
  const text = body.trim();
  if (!text) return undefined;
  if (text.startsWith("{")) {
    try {
      return fromJson(JSON.parse(text) as unknown) ?? oneLine(text);
    } catch {
      return oneLine(text);
    }
  }
  if (/^<(!doctype|html|\?xml)|<h1>|<body/i.test(text)) return fromHtml(text);
  return oneLine(text);
}

function oneLine(s: string, max = 300): string {
  const flat = s.replace(/<br\s*\/?>/gi, " ").replace(/\s+/g, " ").trim();
  return flat.length > max ? flat.slice(0, max - 1) + "…" : flat;
}

function fromHtml(html: string): string {
  const strip = (h: string) => oneLine(h.replace(/<br\s*\/?>/gi, " ").replace(/<[^>]+>/g, " "));
  const body = html.replace(/<head[\s\S]*?<\/head>/i, " ").replace(/<title>[\s\S]*?<\/title>/i, " ");
  // Glance repeats the status as a heading ("<h1>404 Not Found</h1> No image found …"); keep the explanation.
  const withoutHeading = strip(body.replace(/<h1>[\s\S]*?<\/h1>/i, " "));
  return withoutHeading || strip(body);
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
}

function fromJson(v: unknown): string | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const direct = str(o.message) ?? str(o.faultstring) ?? str(o.detail) ?? str(o.description) ?? str(o.title);
  if (direct) return oneLine(direct);
  for (const [key, inner] of Object.entries(o)) {
    if (typeof inner !== "object" || inner === null || Array.isArray(inner)) continue;
    const i = inner as Record<string, unknown>;
    const msg = str(i.message) ?? str(i.detail) ?? str(i.title);
    if (!msg) continue;
    const type = str(i.type) ?? (key === "error" ? undefined : key);
    const detail = str(i.detail) && str(i.detail) !== msg ? ` (${str(i.detail)})` : "";
    return oneLine(type ? `${type}: ${msg}${detail}` : `${msg}${detail}`);
  }
  return undefined;
}
