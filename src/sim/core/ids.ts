/**
 * Identifier generators. Keystone ids are 32 hex digits without dashes (as
 * Keystone's own); every other service uses dashed UUIDs. MAC addresses use
 * Neutron's default `fa:16:3e` prefix. Tokens look like Fernet tokens
 * (`gAAAAAB…`, URL-safe base64) so that size-sensitive clients see realistic values.
 */
import { randomBytes, randomUUID } from "node:crypto";

/** A dashed UUID (Nova, Neutron, Cinder, Glance ids). */
export function uuid(): string {
  return randomUUID();
}

/** A 32-hex-digit id (Keystone projects, users, roles, endpoints). */
export function hexId(): string {
  return randomUUID().replace(/-/g, "");
}

/** A request id as OpenStack services send it. */
export function requestId(): string {
  return `req-${randomUUID()}`;
}

/** A Fernet-looking token string. */
export function tokenString(): string {
  return `gAAAAAB${randomBytes(138).toString("base64url")}`;
}

/** An application-credential secret (86 URL-safe characters, like Keystone's). */
export function secretString(): string {
  return randomBytes(64).toString("base64url");
}

/** A random MAC address with Neutron's base_mac prefix. */
export function macAddress(): string {
  const b = randomBytes(3);
  return `fa:16:3e:${b.toString("hex").match(/../g)!.join(":")}`;
}

/** A random admin password as Nova returns it on create. */
export function adminPass(): string {
  const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const b = randomBytes(12);
  let s = "";
  for (const x of b) s += alphabet[x % alphabet.length];
  return s;
}

/** True when the string is a dashed UUID (any case). */
export function isUuid(s: string): boolean {
  return /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s);
}
