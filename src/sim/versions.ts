/**
 * Version discovery documents of each service, in the shapes a Zed cloud
 * serves them (checked against the lab with curl). Clients read these to
 * negotiate microversions (Nova, Cinder) or to find the versioned endpoint
 * (keystoneauth for Glance, Neutron and Keystone).
 *
 * Quirks: Keystone's list is `{"versions": {"values": […]}}` with 300 and a
 * Location header; Cinder's and Glance's roots answer 300 Multiple Choices;
 * Nova's and Neutron's roots answer 200; Nova's versioned root is
 * `{"version": …}` while Cinder's `/v3/` is a `{"versions": […]}` list.
 */
import type { Reply } from "./core/http.js";
import { COMPUTE_MAX, COMPUTE_MIN, VOLUME_MAX, VOLUME_MIN } from "./core/microversion.js";

function keystoneVersion(base: string): Record<string, unknown> {
  return {
    id: "v3.14",
    status: "stable",
    updated: "2020-04-07T00:00:00Z",
    links: [{ rel: "self", href: `${base}/identity/v3/` }],
    "media-types": [{ base: "application/json", type: "application/vnd.openstack.identity-v3+json" }],
  };
}

/** GET /identity and /identity/. */
export function identityVersions(base: string): Reply {
  return {
    status: 300,
    body: { versions: { values: [keystoneVersion(base)] } },
    headers: { Location: `${base}/identity/v3/`, Vary: "X-Auth-Token" },
  };
}

/** GET /identity/v3. */
export function identityV3(base: string): Reply {
  return { status: 200, body: { version: keystoneVersion(base) }, headers: { Vary: "X-Auth-Token" } };
}

function novaV21(base: string, full: boolean): Record<string, unknown> {
  const v: Record<string, unknown> = {
    id: "v2.1",
    status: "CURRENT",
    version: COMPUTE_MAX,
    min_version: COMPUTE_MIN,
    updated: "2013-07-23T11:33:21Z",
    links: [{ rel: "self", href: `${base}/compute/v2.1/` }],
  };
  if (full) {
    (v.links as unknown[]).push({ rel: "describedby", type: "text/html", href: "http://docs.openstack.org/" });
    v["media-types"] = [{ base: "application/json", type: "application/vnd.openstack.compute+json;version=2.1" }];
  }
  return v;
}

/** GET /compute/. */
export function computeVersions(base: string): Reply {
  return {
    status: 200,
    body: {
      versions: [
        { id: "v2.0", status: "SUPPORTED", version: "", min_version: "", updated: "2011-01-21T11:33:21Z", links: [{ rel: "self", href: `${base}/compute/v2/` }] },
        novaV21(base, false),
      ],
    },
  };
}

/** GET /compute/v2.1. */
export function computeV21(base: string): Reply {
  return { status: 200, body: { version: novaV21(base, true) } };
}

function cinderV3(base: string): Record<string, unknown> {
  return {
    id: "v3.0",
    status: "CURRENT",
    version: VOLUME_MAX,
    min_version: VOLUME_MIN,
    updated: "2022-08-31T00:00:00Z",
    links: [
      { rel: "describedby", type: "text/html", href: "https://docs.openstack.org/" },
      { rel: "self", href: `${base}/volume/v3/` },
    ],
    "media-types": [{ base: "application/json", type: "application/vnd.openstack.volume+json;version=3" }],
  };
}

/** GET /volume/ (300) or /volume/v3/ (200). */
export function volumeVersions(base: string, status: 200 | 300): Reply {
  return { status, body: { versions: [cinderV3(base)] } };
}

const GLANCE_VERSIONS = ["2.15", "2.13", "2.12", "2.11", "2.10", "2.9", "2.8", "2.7", "2.6", "2.5", "2.4", "2.3", "2.2", "2.1", "2.0"];

/** GET /image/ (300) or /image/versions (200). */
export function imageVersions(base: string, status: 200 | 300): Reply {
  return {
    status,
    body: {
      versions: GLANCE_VERSIONS.map((v, i) => ({
        id: `v${v}`,
        status: i === 0 ? "CURRENT" : "SUPPORTED",
        links: [{ rel: "self", href: `${base}/image/v2/` }],
      })),
    },
  };
}

/** GET /network/. */
export function networkVersions(base: string): Reply {
  return { status: 200, body: { versions: [{ id: "v2.0", status: "CURRENT", links: [{ rel: "self", href: `${base}/network/v2.0/` }] }] } };
}

const NEUTRON_RESOURCES: Array<[string, string]> = [
  ["network", "networks"], ["subnet", "subnets"], ["port", "ports"], ["router", "routers"],
  ["floatingip", "floatingips"], ["security_group", "security-groups"], ["security_group_rule", "security-group-rules"],
  ["subnetpool", "subnetpools"],
];

/** GET /network/v2.0/ (authenticated resource index). */
export function networkResources(base: string): Reply {
  return {
    status: 200,
    body: {
      resources: NEUTRON_RESOURCES.map(([name, collection]) => ({
        links: [{ href: `${base}/network/v2.0/${collection}`, rel: "self" }],
        name,
        collection,
      })),
    },
  };
}
