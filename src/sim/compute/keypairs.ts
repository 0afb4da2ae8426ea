/**
 * Nova keypairs (per user): import, generate (below 2.92), list, show, delete.
 *
 * API: GET/POST /os-keypairs, GET/DELETE /os-keypairs/{name}.
 *
 * Quirks (Zed): list entries are wrapped (`{"keypairs": [{"keypair": …}]}`);
 * `keypairs_links` pagination by name from 2.35; `type` from 2.2; `user_id`
 * in the create response from 2.10; show adds created_at, deleted, id (an
 * integer) and updated_at; the fingerprint is the colon-separated MD5 of the
 * key blob; a duplicate name is a 409 "Key pair 'x' already exists."; from
 * 2.92 a public key is required; delete answers 202 below 2.2 and 204 after.
 */
import { createHash, generateKeyPairSync } from "node:crypto";
import type { CloudContext } from "../cloud-context.js";
import { novaError } from "../core/errors.js";
import { asObject, readJson, type Ctx, type Reply } from "../core/http.js";
import { pageTable, sortedWithMarker } from "../core/paging.js";
import { isoMicros } from "../core/time.js";
import type { KeypairRecord } from "../store/records.js";

const bad = (m: string) => novaError(400, m);

/** The MD5 fingerprint Nova computes for an OpenSSH public key; undefined if unparsable. */
export function fingerprint(publicKey: string): string | undefined {
  const parts = publicKey.trim().split(/\s+/);
  if (parts.length < 2 || !/^(ssh-|ecdsa-|sk-)/.test(parts[0]!)) return undefined;
  const blob = Buffer.from(parts[1]!, "base64");
  if (blob.length < 16 || blob.toString("base64").replace(/=+$/, "") !== parts[1]!.replace(/=+$/, "")) return undefined;
  const typeLen = blob.readUInt32BE(0);
  if (blob.subarray(4, 4 + typeLen).toString() !== parts[0]) return undefined;
  return createHash("md5").update(blob).digest("hex").match(/../g)!.join(":");
}

function mpint(b64url: string): Buffer {
  let b = Buffer.from(b64url, "base64url");
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

function generate(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = publicKey.export({ format: "jwk" }) as { n: string; e: string };
  const t = Buffer.from("ssh-rsa");
  const tl = Buffer.alloc(4);
  tl.writeUInt32BE(t.length);
  const blob = Buffer.concat([tl, t, mpint(jwk.e), mpint(jwk.n)]);
  return {
    publicKey: `ssh-rsa ${blob.toString("base64")} Generated-by-Nova`,
    privateKey: privateKey.export({ format: "pem", type: "pkcs1" }).toString(),
  };
}

function listEntry(k: KeypairRecord, mv: number): Record<string, unknown> {
  const v: Record<string, unknown> = { name: k.name, public_key: k.public_key, fingerprint: k.fingerprint };
  if (mv >= 2002) v["type"] = k.type;
  return { keypair: v };
}

function showView(k: KeypairRecord, mv: number): Record<string, unknown> {
  const v: Record<string, unknown> = {
    name: k.name, public_key: k.public_key, fingerprint: k.fingerprint, user_id: k.user_id, created_at: isoMicros(k.created_at),
    deleted: false, deleted_at: null, id: k.id, updated_at: null,
  };
  if (mv >= 2002) v["type"] = k.type;
  return v;
}

/** GET /os-keypairs. */
export function listKeypairs(cloud: CloudContext, ctx: Ctx): Reply {
  const store = cloud.store;
  let limit = Infinity;
  let marker: string | undefined;
  if (ctx.mv >= 2035) {
    const l = ctx.query.get("limit");
    if (l !== null) {
      if (!/^\d+$/.test(l)) throw bad(`Invalid input for query parameters limit. Value: ${l}. '${l}' does not match '^[0-9]*$'`);
      limit = Number(l);
    }
    marker = ctx.query.get("marker") ?? undefined;
  }
  limit = Math.min(limit, cloud.maxPageSize);
  const page = pageTable(store.keypairs, "oldest", (k) => k.name, () => true, limit, marker);
  if (!page.markerFound) throw bad(`marker [${marker}] not found`);
  const body: Record<string, unknown> = { keypairs: page.items.map((k) => listEntry(k, ctx.mv)) };
  if (ctx.mv >= 2035 && page.items.length > 0 && page.items.length === limit) {
    body["keypairs_links"] = [{ rel: "next", href: `${cloud.baseUrl}/compute/v2.1/os-keypairs?${sortedWithMarker(ctx.query, page.items[page.items.length - 1]!.name)}` }];
  }
  return { status: 200, body };
}

function find(cloud: CloudContext, name: string): KeypairRecord {
  const k = cloud.store.keypairs.get(name);
  if (!k) throw novaError(404, `Keypair ${name} not found for user ${cloud.store.identity.userId}`);
  return k;
}

/** GET /os-keypairs/{name}. */
export function showKeypair(cloud: CloudContext, ctx: Ctx): Reply {
  return { status: 200, body: { keypair: showView(find(cloud, ctx.params[0]!), ctx.mv) } };
}

/** DELETE /os-keypairs/{name}. */
export function deleteKeypair(cloud: CloudContext, ctx: Ctx): Reply {
  const k = find(cloud, ctx.params[0]!);
  cloud.store.keypairs.delete(k.name);
  return { status: ctx.mv >= 2002 ? 204 : 202 };
}

/** POST /os-keypairs (import, or generate below 2.92). */
export async function createKeypair(cloud: CloudContext, ctx: Ctx): Promise<Reply> {
  const store = cloud.store;
  const body = asObject(asObject(await readJson(ctx, bad))?.["keypair"]);
  if (!body) throw bad("Invalid input for field/attribute keypair. 'keypair' is a required property");
  const name = body["name"];
  if (typeof name !== "string" || name.length < 1 || name.length > 255) {
    throw bad(`Invalid input for field/attribute name. Value: ${JSON.stringify(name ?? null)}.`);
  }
  if (!/^[A-Za-z0-9 _.@:-]+$/.test(name) || name.trim() !== name) {
    throw bad("Keypair data is invalid: Keypair name contains unsafe characters");
  }
  const type = ctx.mv >= 2002 && typeof body["type"] === "string" ? body["type"] : "ssh";
  if (type !== "ssh" && type !== "x509") throw bad(`Invalid input for field/attribute type. Value: ${type}. '${type}' is not one of ['ssh', 'x509']`);
  let publicKey = body["public_key"];
  let privateKey: string | undefined;
  if (publicKey === undefined || publicKey === null) {
    if (ctx.mv >= 2092) throw bad("Invalid input for field/attribute keypair. 'public_key' is a required property");
    const g = generate();
    publicKey = g.publicKey;
    privateKey = g.privateKey;
  }
  if (typeof publicKey !== "string") throw bad("Keypair data is invalid: failed to generate fingerprint");
  const fp = type === "x509" ? createHash("sha1").update(publicKey).digest("hex").match(/../g)!.join(":") : fingerprint(publicKey);
  if (!fp) throw bad("Keypair data is invalid: failed to generate fingerprint");
  if (store.keypairs.has(name)) throw novaError(409, `Key pair '${name}' already exists.`);
  const limit = store.quotas.key_pairs;
  if (limit >= 0 && store.keypairs.size + 1 > limit) throw novaError(403, "Quota exceeded, too many key pairs.");
  const k: KeypairRecord = {
    id: store.nextKeypairId(), name, user_id: store.identity.userId, public_key: publicKey.trim(), fingerprint: fp, type, created_at: Date.now(),
  };
  store.keypairs.set(name, k);
  const v: Record<string, unknown> = {};
  if (ctx.mv >= 2002) v["type"] = k.type;
  Object.assign(v, { name: k.name, public_key: k.public_key, fingerprint: k.fingerprint });
  if (privateKey) v["private_key"] = privateKey;
  v["user_id"] = k.user_id;
  return { status: ctx.mv >= 2002 ? 201 : 200, body: { keypair: v } };
}
