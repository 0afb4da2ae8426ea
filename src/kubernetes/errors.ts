/**
 * Kubernetes API failures as the project's typed errors. The API server
 * answers every failed request with a `Status` object (kind Status, a
 * machine-readable `reason`, a human `message`, `details.causes` for
 * validation failures); `statusError` turns one into an `ApiError` subclass
 * so that callers keep using `statusIs(err, 404)` and `isRetryable(err)`, and
 * the CLI's handler picks the exit code from the class:
 *
 * | HTTP | reasons (examples)              | class               | exit code |
 * | ---- | ------------------------------- | ------------------- | --------- |
 * | 401  | Unauthorized                    | KubeAuthError       | AUTH      |
 * | 403  | Forbidden                       | KubeAuthError       | AUTH      |
 * | 404  | NotFound                        | KubeNotFoundError   | NOT_FOUND |
 * | 409  | AlreadyExists, Conflict         | KubeConflictError   | FAILURE   |
 * | 410  | Expired, Gone                   | KubeGoneError       | FAILURE   |
 * | 400, 422 | BadRequest, Invalid         | KubeInvalidError    | FAILURE   |
 * | 429, 5xx (not 501) | TooManyRequests, InternalError, ServiceUnavailable, Timeout | KubeApiError, retryable | FAILURE |
 *
 * Why subclasses of ApiError rather than AuthError/NotFoundError: the status,
 * reason and causes stay on the error, and the status helpers of errors.ts
 * work for Kubernetes exactly as for OpenStack; `code` and `exitCode` are
 * overridden so that the CLI reports them like their OpenStack counterparts.
 */
import { z } from "zod";
import { ApiError, EXIT, type ApiErrorInit } from "../errors.js";
import { redact, redactDeep } from "../log.js";

/** One entry of `Status.details.causes` (a field that failed validation, a conflicting field manager, …). */
export const StatusCause = z
  .object({
    reason: z.string().optional(),
    message: z.string().optional(),
    field: z.string().optional(),
  })
  .loose();
export type StatusCause = z.infer<typeof StatusCause>;

/** `meta/v1 Status`, as every API server sends it on failure (and on some deletes). */
export const KubeStatus = z
  .object({
    kind: z.literal("Status"),
    apiVersion: z.string().optional(),
    status: z.string().optional(),
    message: z.string().optional(),
    reason: z.string().optional(),
    code: z.number().optional(),
    details: z
      .object({
        name: z.string().optional(),
        group: z.string().optional(),
        kind: z.string().optional(),
        uid: z.string().optional(),
        causes: z.array(StatusCause).optional(),
        retryAfterSeconds: z.number().optional(),
      })
      .loose()
      .optional(),
    metadata: z.object({ continue: z.string().optional(), resourceVersion: z.string().optional() }).loose().optional(),
  })
  .loose();
export type KubeStatus = z.infer<typeof KubeStatus>;

/** What a Kubernetes error adds to ApiError: the Status reason and causes. */
export interface KubeErrorInit extends ApiErrorInit {
  reason?: string | undefined;
  causes?: StatusCause[] | undefined;
  /** The parsed Status body, when the server sent one. */
  statusBody?: KubeStatus | undefined;
}

/** A failed Kubernetes API call. Subclasses say which kind of failure. */
export class KubeApiError extends ApiError {
  override readonly code: string = "E_API";
  /** `Status.reason` (NotFound, AlreadyExists, Conflict, Invalid, Expired, Forbidden, …). */
  readonly reason: string | undefined;
  /** `Status.details.causes`: per-field validation failures, conflicting managers. */
  readonly causes: StatusCause[];
  readonly statusBody: KubeStatus | undefined;

  constructor(message: string, init: KubeErrorInit) {
    super(message, init);
    this.reason = init.reason;
    this.causes = init.causes ?? [];
    this.statusBody = init.statusBody;
    if (this.causes.length > 0) this.details = this.causes.map(describeCause);
  }
}

/** 401 (credentials refused) or 403 (RBAC denies the verb). */
export class KubeAuthError extends KubeApiError {
  override readonly code = "E_AUTH";
  override readonly exitCode = EXIT.AUTH;
}

export class KubeNotFoundError extends KubeApiError {
  override readonly code = "E_NOT_FOUND";
  override readonly exitCode = EXIT.NOT_FOUND;
}

/** 409: the object already exists (create), or a field manager / resourceVersion conflict (apply, update). */
export class KubeConflictError extends KubeApiError {
  override readonly code = "E_CONFLICT";
}

/** 410: a continue token or resourceVersion that etcd has compacted away. */
export class KubeGoneError extends KubeApiError {
  override readonly code = "E_GONE";
}

/** 400 / 422: the server refused the object (schema, immutable field, malformed body). */
export class KubeInvalidError extends KubeApiError {
  override readonly code = "E_INVALID";
}

function describeCause(c: StatusCause): string {
  const parts = [c.field, c.message ?? c.reason].filter((p): p is string => Boolean(p));
  return redact(parts.join(": "));
}

/** Parses a response body as a Status; undefined when it is something else (HTML from a proxy, empty). */
export function parseStatus(body: string | undefined): KubeStatus | undefined {
  if (!body) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const r = KubeStatus.safeParse(json);
  return r.success ? r.data : undefined;
}

export interface StatusErrorContext {
  method: string;
  /** The request URL, already free of secrets (Kubernetes puts none in URLs). */
  url: string;
  status: number;
  /** The raw response body. */
  body?: string | undefined;
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

const EXCERPT = 500;

/** Turns a non-2xx response into the matching typed error, carrying the server's own message. */
export function statusError(ctx: StatusErrorContext): KubeApiError {
  // Why redactDeep: a server may echo submitted values (a Secret's data) in messages and causes.
  const parsed = parseStatus(ctx.body);
  const st = parsed === undefined ? undefined : redactDeep(parsed);
  const status = ctx.status;
  const reason = st?.reason;
  const serverMsg = st?.message ? redact(st.message) : undefined;
  const bodyExcerpt = ctx.body ? redact(ctx.body).slice(0, EXCERPT) : undefined;
  const detail = serverMsg ?? (bodyExcerpt?.trim() || undefined);
  const message = `${ctx.method} ${ctx.url}: ${status}${reason ? ` ${reason}` : ""}${detail ? `: ${detail}` : ""}`;
  const retryAfterMs = ctx.retryAfterMs ?? (st?.details?.retryAfterSeconds !== undefined ? st.details.retryAfterSeconds * 1000 : undefined);
  const init: KubeErrorInit = {
    method: ctx.method,
    url: ctx.url,
    status,
    body: bodyExcerpt,
    fault: status >= 500 ? "server" : "client",
    retryable: status === 429 || (status >= 500 && status !== 501 && status !== 505),
    retryAfterMs,
    cause: ctx.cause,
    reason,
    causes: st?.details?.causes,
    statusBody: st,
  };
  if (status === 401 || status === 403) return new KubeAuthError(message, init);
  if (status === 404) return new KubeNotFoundError(message, init);
  if (status === 409) return new KubeConflictError(message, init);
  if (status === 410) return new KubeGoneError(message, init);
  if (status === 400 || status === 422) return new KubeInvalidError(message, init);
  return new KubeApiError(message, init);
}
