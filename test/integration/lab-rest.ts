/**
 * A minimal REST session against the lab, for the integration suite's own
 * housekeeping: sweeping leftovers of an earlier, aborted run by their markers
 * and the like. Kept apart from the tool's client on purpose, so a bug there
 * cannot hide its own leftovers.
 *
 * API: POST /v3/auth/tokens (password, project scope, catalog in the body);
 * then plain GET/DELETE/PUT against the public endpoints of the catalog.
 *
 * Quirks: Cinder's endpoint carries the project id; Nova gets microversion
 * 2.79 and Cinder 3.60 so that lists show tags and metadata filters work.
 * Passwords come from the lab's clouds.yaml and are never printed.
 */
import { readFileSync } from "node:fs";
import YAML from "yaml";
import { LAB_CLOUDS_YAML } from "./lab.js";

interface CloudAuth {
  auth_url: string;
  username: string;
  password: string;
  project_name: string;
  user_domain_name?: string;
  project_domain_name?: string;
}

/** One authenticated session; `call` throws on any status outside 2xx unless it is in `ok`. */
export interface LabSession {
  projectId: string;
  call(service: string, method: string, path: string, body?: unknown, ok?: number[]): Promise<any>;
}

const HEADERS: Record<string, Record<string, string>> = {
  compute: { "OpenStack-API-Version": "compute 2.79", "X-OpenStack-Nova-API-Version": "2.79" },
  volumev3: { "OpenStack-API-Version": "volume 3.60" },
};

/** Authenticates as the cloud's user from the lab's clouds.yaml. */
export async function labSession(cloud: string): Promise<LabSession> {
  const doc = YAML.parse(readFileSync(LAB_CLOUDS_YAML, "utf8")) as { clouds: Record<string, { auth: CloudAuth }> };
  const a = doc.clouds[cloud]?.auth;
  if (!a) throw new Error(`cloud ${cloud} is not in ${LAB_CLOUDS_YAML}`);
  const res = await fetch(`${a.auth_url.replace(/\/$/, "")}/auth/tokens`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      auth: {
        identity: { methods: ["password"], password: { user: { name: a.username, domain: { name: a.user_domain_name ?? "Default" }, password: a.password } } },
        scope: { project: { name: a.project_name, domain: { name: a.project_domain_name ?? "Default" } } },
      },
    }),
    signal: AbortSignal.timeout(30_000),
  });
  if (res.status !== 201) throw new Error(`keystone refused ${cloud}: HTTP ${res.status}`);
  const token = res.headers.get("x-subject-token") ?? "";
  const body = (await res.json()) as { token: { project: { id: string }; catalog: { type: string; endpoints: { interface: string; url: string }[] }[] } };
  const urls = new Map<string, string>();
  for (const s of body.token.catalog) {
    const ep = s.endpoints.find((e) => e.interface === "public");
    if (ep) urls.set(s.type, ep.url.replace(/\/$/, ""));
  }
  return {
    projectId: body.token.project.id,
    async call(service, method, path, payload, ok = []) {
      const base = urls.get(service);
      if (!base) throw new Error(`no ${service} endpoint in the catalog of ${cloud}`);
      const r = await fetch(`${base}${path}`, {
        method,
        headers: {
          "X-Auth-Token": token,
          Accept: "application/json",
          ...(payload !== undefined ? { "Content-Type": "application/json" } : {}),
          ...(HEADERS[service] ?? {}),
        },
        ...(payload !== undefined ? { body: JSON.stringify(payload) } : {}),
        signal: AbortSignal.timeout(120_000),
      });
      const text = await r.text();
      if (!r.ok && !ok.includes(r.status)) throw new Error(`${method} ${service}${path}: HTTP ${r.status} ${text.slice(0, 300)}`);
      return text ? JSON.parse(text) : null;
    },
  };
}
