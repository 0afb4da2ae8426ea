/**
 * Parsing a response body with its zod schema. A body that does not fit is
 * reported as an `ApiError` naming the request and every offending field
 * path, so a provider quirk is found from one error line.
 */
import type { z } from "zod";
import { ApiError } from "../errors.js";
import { redact } from "../log.js";
import type { HttpResponse } from "./http.js";
import type { ServiceClient, ServiceRequest } from "./session.js";

/** Where a body came from, for the error message. */
export interface BodySource {
  method: string;
  url: string;
  status?: number | undefined;
  requestId?: string | undefined;
}

/** Formats zod issues as "path: message" strings (at most `max`). */
export function formatIssues(error: z.ZodError, max = 5): string {
  const lines = error.issues.slice(0, max).map((i) => `${i.path.length ? i.path.join(".") : "(body)"}: ${i.message}`);
  if (error.issues.length > max) lines.push(`… ${error.issues.length - max} more`);
  return lines.join("; ");
}

/** Parses `data` with `schema` or throws an ApiError describing every mismatch. */
export function parseBody<S extends z.ZodType>(schema: S, data: unknown, src: BodySource): z.output<S> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  throw new ApiError(`${src.method} ${src.url}: unexpected response body (${formatIssues(r.error)})`, {
    method: src.method,
    url: src.url,
    status: src.status,
    requestId: src.requestId,
    body: redact(JSON.stringify(data) ?? "").slice(0, 500),
    fault: "server",
    retryable: false,
  });
}

/** Sends a request and parses its JSON body with `schema`; returns the parsed body and the response. */
export async function call<S extends z.ZodType>(
  client: ServiceClient,
  schema: S,
  req: ServiceRequest,
): Promise<{ body: z.output<S>; response: HttpResponse<unknown> }> {
  const response = await client.request<unknown>(req);
  const body = parseBody(schema, response.data, {
    method: req.method,
    url: response.url,
    status: response.status,
    requestId: response.requestId,
  });
  return { body, response };
}
