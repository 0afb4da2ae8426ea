/**
 * Conformance: every relevant OpenStack API sample in
 * ../shared/conformance/openstack/ parses with the schemas the service
 * clients use. Files are mapped to schemas by path patterns (service folder +
 * file-name conventions), never by a list of names, so samples of the same
 * kinds that are not in the folder today are matched too.
 *
 * Relevance: a file is relevant when it is a response body (not a request:
 * Nova `*-req*.json` and action bodies, others `*-request.json`) in a folder
 * of a resource the tool reads. Files in other folders are listed as not read,
 * with the reason. A relevant file that no rule maps fails the test.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { TokenResponse, AuthReceiptResponse } from "../../src/openstack/auth.js";
import { CatalogResponse } from "../../src/openstack/catalog.js";
import * as compute from "../../src/openstack/compute.js";
import * as blockStorage from "../../src/openstack/block-storage.js";
import * as image from "../../src/openstack/image.js";
import * as network from "../../src/openstack/network.js";
import * as lb from "../../src/openstack/load-balancer-schemas.js";
import { VersionDocument } from "../../src/openstack/microversions.js";
import { LimitsResponse, QuotaDetailSetResponse, QuotaSetResponse, AvailabilityZoneListResponse } from "../../src/openstack/shared-schemas.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SAMPLES = path.resolve(repoRoot, "../shared/conformance/openstack");

/** A named parser: a zod schema, or a function for raw HTTP samples. */
interface Parser {
  name: string;
  parse: (text: string) => unknown;
}

const zp = (name: string, schema: z.ZodType): Parser => ({ name, parse: (text) => schema.parse(JSON.parse(text)) });

/** Tries several schemas; used as the folder-level fallback for response names no specific rule knows. */
const anyOf = (...parsers: Parser[]): Parser => ({
  name: parsers.map((p) => p.name).join(" | "),
  parse: (text) => {
    const errors: string[] = [];
    for (const p of parsers) {
      try {
        return p.parse(text);
      } catch (e) {
        errors.push(`${p.name}: ${e instanceof Error ? e.message.slice(0, 300) : String(e)}`);
      }
    }
    throw new Error(`no schema fits:\n${errors.join("\n")}`);
  },
});

/**
 * Keystone's raw HTTP sample: status line and headers (the token is in
 * X-Subject-Token, the request id in x-openstack-request-id), then the JSON
 * body when the sample has one (upstream's ends after the headers).
 */
const TokenHttp: Parser = {
  name: "auth.TokenResponse (raw HTTP: X-Subject-Token + body)",
  parse: (text) => {
    const [head = "", body = ""] = text.split(/\r?\n\r?\n/, 2);
    if (!/^HTTP\/1\.[01] 201/.test(head)) throw new Error("not a 201 response");
    if (!/^x-subject-token: \S+/im.test(head)) throw new Error("no X-Subject-Token header");
    if (!/^x-openstack-request-id: req-\S+/im.test(head)) throw new Error("no x-openstack-request-id header");
    return body.trim() ? TokenResponse.parse(JSON.parse(body)) : null;
  },
};

const P = {
  token: zp("auth.TokenResponse", TokenResponse),
  receipt: zp("auth.AuthReceiptResponse", AuthReceiptResponse),
  catalog: zp("catalog.CatalogResponse", CatalogResponse),
  version: zp("microversions.VersionDocument", VersionDocument),
  server: zp("compute.ServerResponse", compute.ServerResponse),
  servers: zp("compute.ServerListResponse", compute.ServerListResponse),
  serverSummaries: zp("compute.ServerSummaryListResponse", compute.ServerSummaryListResponse),
  serverCreate: zp("compute.ServerCreateResponse", compute.ServerCreateResponse),
  createImage: zp("compute.CreateImageResponse", compute.CreateImageResponse),
  flavor: zp("compute.FlavorResponse", compute.FlavorResponse),
  flavors: zp("compute.FlavorListResponse", compute.FlavorListResponse),
  flavorSummaries: zp("compute.FlavorSummaryListResponse", compute.FlavorSummaryListResponse),
  extraSpecs: zp("compute.ExtraSpecsResponse", compute.ExtraSpecsResponse),
  extraSpec: zp("compute.ExtraSpecResponse", compute.ExtraSpecResponse),
  keypair: zp("compute.KeypairResponse", compute.KeypairResponse),
  keypairs: zp("compute.KeypairListResponse", compute.KeypairListResponse),
  serverGroup: zp("compute.ServerGroupResponse", compute.ServerGroupResponse),
  serverGroups: zp("compute.ServerGroupListResponse", compute.ServerGroupListResponse),
  interface: zp("compute.InterfaceAttachmentResponse", compute.InterfaceAttachmentResponse),
  interfaces: zp("compute.InterfaceAttachmentListResponse", compute.InterfaceAttachmentListResponse),
  volumeAttachment: zp("compute.VolumeAttachmentResponse", compute.VolumeAttachmentResponse),
  volumeAttachments: zp("compute.VolumeAttachmentListResponse", compute.VolumeAttachmentListResponse),
  serverTags: zp("compute.TagsResponse", compute.TagsResponse),
  serverMetadata: zp("compute.MetadataResponse", compute.MetadataResponse),
  serverMeta: zp("compute.MetaItemResponse", compute.MetaItemResponse),
  limits: zp("LimitsResponse", LimitsResponse),
  quotaDetail: zp("QuotaDetailSetResponse", QuotaDetailSetResponse),
  quotaSet: zp("QuotaSetResponse", QuotaSetResponse),
  azs: zp("AvailabilityZoneListResponse", AvailabilityZoneListResponse),
  volume: zp("blockStorage.VolumeResponse", blockStorage.VolumeResponse),
  volumes: zp("blockStorage.VolumeListResponse", blockStorage.VolumeListResponse),
  volumeSummaries: zp("blockStorage.VolumeSummaryListResponse", blockStorage.VolumeSummaryListResponse),
  snapshot: zp("blockStorage.SnapshotResponse", blockStorage.SnapshotResponse),
  snapshots: zp("blockStorage.SnapshotListResponse", blockStorage.SnapshotListResponse),
  cinderMetadata: zp("blockStorage.MetadataResponse", blockStorage.MetadataResponse),
  cinderMeta: zp("blockStorage.MetaItemResponse", blockStorage.MetaItemResponse),
  volumeType: zp("blockStorage.VolumeTypeResponse", blockStorage.VolumeTypeResponse),
  volumeTypes: zp("blockStorage.VolumeTypeListResponse", blockStorage.VolumeTypeListResponse),
  typeExtraSpecs: zp("blockStorage.VolumeTypeExtraSpecsResponse", blockStorage.VolumeTypeExtraSpecsResponse),
  typeExtraSpec: zp("blockStorage.VolumeTypeExtraSpecResponse", blockStorage.VolumeTypeExtraSpecResponse),
  defaultType: zp("blockStorage.DefaultTypeResponse", blockStorage.DefaultTypeResponse),
  defaultTypes: zp("blockStorage.DefaultTypeListResponse", blockStorage.DefaultTypeListResponse),
  uploadToImage: zp("blockStorage.UploadToImageResponse", blockStorage.UploadToImageResponse),
  image: zp("image.Image", image.Image),
  images: zp("image.ImageListResponse", image.ImageListResponse),
  network: zp("network.NetworkResponse", network.NetworkResponse),
  networks: zp("network.NetworkListResponse", network.NetworkListResponse),
  subnet: zp("network.SubnetResponse", network.SubnetResponse),
  subnets: zp("network.SubnetListResponse", network.SubnetListResponse),
  router: zp("network.RouterResponse", network.RouterResponse),
  routers: zp("network.RouterListResponse", network.RouterListResponse),
  routerInterface: zp("network.RouterInterfaceResponse", network.RouterInterfaceResponse),
  port: zp("network.PortResponse", network.PortResponse),
  ports: zp("network.PortListResponse", network.PortListResponse),
  sg: zp("network.SecurityGroupResponse", network.SecurityGroupResponse),
  sgs: zp("network.SecurityGroupListResponse", network.SecurityGroupListResponse),
  rule: zp("network.SecurityGroupRuleResponse", network.SecurityGroupRuleResponse),
  rules: zp("network.SecurityGroupRuleListResponse", network.SecurityGroupRuleListResponse),
  fip: zp("network.FloatingIpResponse", network.FloatingIpResponse),
  fips: zp("network.FloatingIpListResponse", network.FloatingIpListResponse),
  neutronTags: zp("network.TagsResponse", network.TagsResponse),
  neutronQuota: zp("network.QuotaResponse", network.QuotaResponse),
  neutronQuotas: zp("network.QuotaListResponse", network.QuotaListResponse),
  neutronQuotaDetails: zp("network.QuotaDetailsResponse", network.QuotaDetailsResponse),
  extension: zp("network.ExtensionResponse", network.ExtensionResponse),
  extensions: zp("network.ExtensionListResponse", network.ExtensionListResponse),
  networkAzs: zp("network.NetworkAvailabilityZoneListResponse", network.NetworkAvailabilityZoneListResponse),
  lb: zp("lb.LoadBalancerResponse", lb.LoadBalancerResponse),
  lbs: zp("lb.LoadBalancerListResponse", lb.LoadBalancerListResponse),
  lbStatus: zp("lb.StatusTreeResponse", lb.StatusTreeResponse),
  lbStats: zp("lb.StatsResponse", lb.StatsResponse),
  listener: zp("lb.ListenerResponse", lb.ListenerResponse),
  listeners: zp("lb.ListenerListResponse", lb.ListenerListResponse),
  pool: zp("lb.PoolResponse", lb.PoolResponse),
  pools: zp("lb.PoolListResponse", lb.PoolListResponse),
  member: zp("lb.MemberResponse", lb.MemberResponse),
  members: zp("lb.MemberListResponse", lb.MemberListResponse),
  monitor: zp("lb.HealthMonitorResponse", lb.HealthMonitorResponse),
  monitors: zp("lb.HealthMonitorListResponse", lb.HealthMonitorListResponse),
  l7policy: zp("lb.L7PolicyResponse", lb.L7PolicyResponse),
  l7policies: zp("lb.L7PolicyListResponse", lb.L7PolicyListResponse),
  l7rule: zp("lb.L7RuleResponse", lb.L7RuleResponse),
  l7rules: zp("lb.L7RuleListResponse", lb.L7RuleListResponse),
  lbQuota: zp("lb.QuotaResponse", lb.QuotaResponse),
  lbQuotas: zp("lb.QuotaListResponse", lb.QuotaListResponse),
  providers: zp("lb.ProviderListResponse", lb.ProviderListResponse),
  providerCapabilities: zp("lb.ProviderCapabilitiesResponse", lb.ProviderCapabilitiesResponse),
  lbFlavor: zp("lb.LbFlavorResponse", lb.LbFlavorResponse),
  lbFlavors: zp("lb.LbFlavorListResponse", lb.LbFlavorListResponse),
  lbAz: zp("lb.LbAvailabilityZoneResponse", lb.LbAvailabilityZoneResponse),
  lbAzs: zp("lb.LbAvailabilityZoneListResponse", lb.LbAvailabilityZoneListResponse),
};

/** A rule: files whose path (relative to the samples folder) matches go to `parser`, or are not read (`skip`). */
type Rule = { re: RegExp; parser: Parser } | { re: RegExp; skip: string };

const REQUEST = /(-req(-v\d+)?\.json|-request(-[\w-]+)?\.json)$/;
const NOVA_ACTION_BODY = /^nova\/servers\/(v[\d.]+\/)?server-action-(?!.*-resp\.json$)[\w-]+\.json$/;
const v = "(?:v[\\d.]+/)?"; // an optional microversion folder

/** Ordered: the first matching rule decides. */
const RULES: Rule[] = [
  { re: REQUEST, skip: "request body (the tool builds these)" },
  { re: NOVA_ACTION_BODY, skip: "request body of a server action" },
  { re: /^swift\//, skip: "object storage is not read yet" },
  { re: /\.(md|tsv)$/, skip: "not a sample" },

  // Keystone
  { re: /^keystone\/auth\/requests\//, skip: "request body (the tool builds these)" },
  { re: /^keystone\/auth\/responses\/auth-receipt[\w-]*\.json$/, parser: P.receipt },
  { re: /^keystone\/auth\/responses\/[\w-]+\.json$/, parser: P.token },
  { re: /^keystone\/admin\/[\w-]*catalog[\w-]*-response\.json$/, parser: P.catalog },
  { re: /^keystone\/admin\/auth-[\w-]*-HTTP\.txt$/, parser: TokenHttp },
  { re: /^keystone\/admin\/auth-[\w-]*-response\.json$/, parser: P.token },
  { re: /^keystone\/admin\//, skip: "identity administration (projects, users, endpoints, credentials) is not read" },

  // Nova (server-related names are matched wherever they sit: upstream moved some between folders)
  { re: /^nova\/[\w-]+\/(v[\d.]+\/)?server-ips[\w-]*\.json$/, skip: "/ips is not read (servers carry addresses)" },
  { re: /^nova\/[\w-]+\/(v[\d.]+\/)?server-metadata-all[\w-]*-resp\.json$/, parser: P.serverMetadata },
  { re: /^nova\/[\w-]+\/(v[\d.]+\/)?server-metadata[\w-]*-resp\.json$/, parser: P.serverMeta },
  { re: /^nova\/[\w-]+\/(v[\d.]+\/)?server-groups-list[\w-]*-resp\.json$/, parser: P.serverGroups },
  { re: /^nova\/[\w-]+\/(v[\d.]+\/)?server-groups-[\w-]*-resp\.json$/, parser: P.serverGroup },
  { re: /^nova\/[\w-]+\/(v[\d.]+\/)?servers-tags-details[\w-]*-resp\.json$/, parser: P.servers },
  { re: /^nova\/[\w-]+\/(v[\d.]+\/)?server-tags-show-details[\w-]*-resp\.json$/, parser: P.server },
  { re: /^nova\/[\w-]+\/(v[\d.]+\/)?server-tags-[\w-]*-resp\.json$/, parser: P.serverTags },
  { re: new RegExp(`^nova/servers/${v}server-action-create-image-resp\\.json$`), parser: P.createImage },
  { re: new RegExp(`^nova/servers/${v}servers-details[\\w-]*\\.json$`), parser: P.servers },
  { re: new RegExp(`^nova/servers/${v}servers-list[\\w-]*\\.json$`), parser: P.serverSummaries },
  { re: new RegExp(`^nova/servers/${v}server-(create|post)[\\w-]*-resp\\.json$`), parser: anyOf(P.serverCreate, P.server) },
  { re: new RegExp(`^nova/servers/${v}server-[\\w-]*-resp\\.json$`), parser: P.server },
  { re: new RegExp(`^nova/servers/${v}[\\w-]+\\.json$`), skip: "request body of a server action (lock, rebuild, …)" },
  { re: new RegExp(`^nova/flavors/${v}flavors-detail[\\w-]*-resp\\.json$`), parser: P.flavors },
  { re: new RegExp(`^nova/flavors/${v}flavors-list[\\w-]*-resp\\.json$`), parser: P.flavorSummaries },
  { re: new RegExp(`^nova/flavors/${v}flavor-[\\w-]*-resp\\.json$`), parser: P.flavor },
  { re: new RegExp(`^nova/flavor-extra-specs/${v}flavor-extra-specs-(list|create)[\\w-]*-resp\\.json$`), parser: P.extraSpecs },
  { re: new RegExp(`^nova/flavor-extra-specs/${v}flavor-extra-specs-[\\w-]*-resp\\.json$`), parser: P.extraSpec },
  { re: new RegExp(`^nova/limits/${v}[\\w-]*-resp\\.json$`), parser: P.limits },
  { re: new RegExp(`^nova/os-attach-interfaces/${v}attach-interfaces-list[\\w-]*-resp\\.json$`), parser: P.interfaces },
  { re: new RegExp(`^nova/os-attach-interfaces/${v}attach-interfaces-[\\w-]*-resp\\.json$`), parser: P.interface },
  { re: new RegExp(`^nova/os-availability-zone/${v}[\\w-]*-resp\\.json$`), parser: P.azs },
  { re: new RegExp(`^nova/os-keypairs/${v}keypairs-list[\\w-]*-resp\\.json$`), parser: P.keypairs },
  { re: new RegExp(`^nova/os-keypairs/${v}keypairs-[\\w-]*-resp\\.json$`), parser: P.keypair },
  { re: new RegExp(`^nova/os-quota-sets/${v}[\\w-]*detail[\\w-]*-resp\\.json$`), parser: P.quotaDetail },
  { re: new RegExp(`^nova/os-quota-sets/${v}[\\w-]*-resp\\.json$`), parser: P.quotaSet },
  { re: new RegExp(`^nova/os-volume_attachments/${v}list-volume-attachments[\\w-]*-resp\\.json$`), parser: P.volumeAttachments },
  { re: new RegExp(`^nova/os-volume_attachments/${v}[\\w-]*-resp\\.json$`), parser: P.volumeAttachment },
  { re: new RegExp(`^nova/versions/${v}[\\w-]*-resp\\.json$`), parser: P.version },
  { re: /^nova\/os-instance-actions\//, skip: "instance actions are not read" },

  // Cinder
  { re: /^cinder\/availability-zone[\w-]*-response\.json$/, parser: P.azs },
  { re: /^cinder\/[\w-]*default-types?[\w-]*-response\.json$/, parser: anyOf(P.defaultType, P.defaultTypes) },
  { re: /^cinder\/image-metadata[\w-]*-response\.json$/, parser: P.cinderMetadata },
  { re: new RegExp(`^cinder/volumes/${v}volumes-list-summary[\\w-]*\\.json$`), skip: "volume summary (totals) is not read" },
  { re: new RegExp(`^cinder/volumes/${v}volumes-list-detailed[\\w-]*-response\\.json$`), parser: P.volumes },
  { re: new RegExp(`^cinder/volumes/${v}volumes-list[\\w-]*-response\\.json$`), parser: P.volumeSummaries },
  { re: new RegExp(`^cinder/volumes/${v}volume-metadata-(show-key|update-key)[\\w-]*-response\\.json$`), parser: P.cinderMeta },
  { re: new RegExp(`^cinder/volumes/${v}volume-metadata[\\w-]*-response\\.json$`), parser: P.cinderMetadata },
  { re: new RegExp(`^cinder/volumes/${v}volume-[\\w-]*-response\\.json$`), parser: P.volume },
  { re: new RegExp(`^cinder/snapshots/${v}snapshots-list[\\w-]*-response\\.json$`), parser: P.snapshots },
  { re: new RegExp(`^cinder/snapshots/${v}snapshot-metadata-(show-key|update-key)[\\w-]*-response\\.json$`), parser: P.cinderMeta },
  { re: new RegExp(`^cinder/snapshots/${v}snapshot-metadata[\\w-]*-response\\.json$`), parser: P.cinderMetadata },
  { re: new RegExp(`^cinder/snapshots/${v}snapshot-[\\w-]*-response\\.json$`), parser: P.snapshot },
  { re: /^cinder\/volume_type\/(encryption-type|volume-type-access)[\w-]*\.json$/, skip: "volume type encryption and access lists are admin views, not read" },
  { re: /^cinder\/volume_type\/volume-types-list[\w-]*-response\.json$/, parser: P.volumeTypes },
  { re: /^cinder\/volume_type\/[\w-]*specific-extra-spec[\w-]*-response\.json$/, parser: P.typeExtraSpec },
  { re: /^cinder\/volume_type\/[\w-]*extra-specs[\w-]*-response\.json$/, parser: P.typeExtraSpecs },
  { re: /^cinder\/volume_type\/volume-type-[\w-]*-response\.json$/, parser: P.volumeType },
  { re: /^cinder\/volume_actions\/volume-upload-to-image[\w-]*-response\.json$/, parser: P.uploadToImage },
  { re: /^cinder\/quota_sets\/[\w-]*usage[\w-]*-response\.json$/, parser: P.quotaDetail },
  { re: /^cinder\/quota_sets\/[\w-]*-response\.json$/, parser: P.quotaSet },
  { re: /^cinder\/limits\/[\w-]*-response\.json$/, parser: P.limits },
  { re: /^cinder\/versions\/[\w-]*-response\.json$/, parser: P.version },
  { re: /^cinder\/(backups\/|backup-|attachment-|messages-|volume-extend|group|qos|consistency)/, skip: "backups, attachments API, messages, groups are not read" },
  { re: /^cinder\/[\w-]+\.json$/, skip: "other block-storage APIs (services, workers, transfers, …) are not read" },

  // Glance
  { re: /^glance\/images-list[\w-]*-response\.json$/, parser: P.images },
  { re: /^glance\/image-(member|members|info|import|tasks|stage)[\w-]*\.json$/, skip: "image members, import and tasks are not read" },
  { re: /^glance\/image-[\w-]*-response\.json$/, parser: P.image },
  { re: /^glance\//, skip: "schemas, stores, tasks, usage and discovery are not read" },

  // Neutron
  { re: /^neutron\/networks\/versions?-[\w-]*\.json$/, parser: anyOf(P.version, zp("neutron resource index", z.object({ resources: z.array(z.object({ name: z.string(), collection: z.string() }).loose()) }))) },
  { re: /^neutron\/networks\/networks-[\w-]*\.json$/, parser: P.networks },
  { re: /^neutron\/networks\/network-[\w-]*\.json$/, parser: anyOf(P.network, P.networks) },
  { re: /^neutron\/subnets\/subnetpools?-/, skip: "subnet pools are not read" },
  { re: /^neutron\/subnets\/subnets-[\w-]*\.json$/, parser: P.subnets },
  { re: /^neutron\/subnets\/subnet-[\w-]*\.json$/, parser: anyOf(P.subnet, P.subnets) },
  { re: /^neutron\/routers\/router-(add|remove)-interface[\w-]*\.json$/, parser: P.routerInterface },
  { re: /^neutron\/routers\/routers-[\w-]*\.json$/, parser: P.routers },
  { re: /^neutron\/routers\/router-[\w-]*\.json$/, parser: anyOf(P.router, P.routers) },
  { re: /^neutron\/ports\/port-resource-request[\w-]*\.json$/, skip: "a resource_request fragment, not a port body" },
  { re: /^neutron\/ports\/ports-[\w-]*\.json$/, parser: P.ports },
  { re: /^neutron\/ports\/port-[\w-]*\.json$/, parser: anyOf(P.port, P.ports) },
  { re: /^neutron\/security-groups\/security-group-rules-[\w-]*\.json$/, parser: P.rules },
  { re: /^neutron\/security-groups\/security-group-rule-[\w-]*\.json$/, parser: anyOf(P.rule, P.rules) },
  { re: /^neutron\/security-groups\/security-groups-[\w-]*\.json$/, parser: P.sgs },
  { re: /^neutron\/security-groups\/security-group-[\w-]*\.json$/, parser: anyOf(P.sg, P.sgs) },
  { re: /^neutron\/floatingips\/floating-?ip-pools/, skip: "floating IP pools are not read (external networks are)" },
  { re: /^neutron\/floatingips\/floatingips-[\w-]*\.json$/, parser: P.fips },
  { re: /^neutron\/floatingips\/floatingip-[\w-]*\.json$/, parser: anyOf(P.fip, P.fips) },
  { re: /^neutron\/quota_details\/[\w-]*\.json$/, parser: P.neutronQuotaDetails },
  { re: /^neutron\/quotas\/quotas-list-response\.json$/, parser: P.neutronQuotas },
  { re: /^neutron\/quotas\/[\w-]*\.json$/, parser: anyOf(P.neutronQuota, P.neutronQuotas) },
  { re: /^neutron\/tag\/[\w-]*\.json$/, parser: P.neutronTags },
  { re: /^neutron\/extensions\/extensions-[\w-]*\.json$/, parser: P.extensions },
  { re: /^neutron\/extensions\/extension-[\w-]*\.json$/, parser: P.extension },
  { re: /^neutron\/availability-zones\/[\w-]*\.json$/, parser: P.networkAzs },

  // Octavia (file names: <object>-<action>-response.json, plural for lists)
  { re: /^octavia\/(amphora|flavorprofile|availabilityzoneprofile)/, skip: "operator-only Octavia APIs (amphorae, profiles) are not read" },
  { re: /^octavia\/[\w-]*-obj\.json$/, skip: "a fragment of a request body, not a response" },
  { re: /^octavia\/[\w-]*-curl$/, skip: "a curl command line, not a body" },
  { re: /^octavia\/(loadbalancer|listener)-stats[\w-]*\.json$/, parser: P.lbStats },
  { re: /^octavia\/loadbalancer-status[\w-]*\.json$/, parser: P.lbStatus },
  { re: /^octavia\/loadbalancers-[\w-]*\.json$/, parser: P.lbs },
  { re: /^octavia\/loadbalancer-[\w-]*\.json$/, parser: P.lb },
  { re: /^octavia\/listeners-[\w-]*\.json$/, parser: P.listeners },
  { re: /^octavia\/listener-[\w-]*\.json$/, parser: P.listener },
  { re: /^octavia\/pools-[\w-]*\.json$/, parser: P.pools },
  { re: /^octavia\/pool-[\w-]*\.json$/, parser: P.pool },
  { re: /^octavia\/members-[\w-]*\.json$/, parser: P.members },
  { re: /^octavia\/member-[\w-]*\.json$/, parser: P.member },
  { re: /^octavia\/healthmonitors-[\w-]*\.json$/, parser: P.monitors },
  { re: /^octavia\/healthmonitor-[\w-]*\.json$/, parser: P.monitor },
  { re: /^octavia\/l7policies-[\w-]*\.json$/, parser: P.l7policies },
  { re: /^octavia\/l7policy-[\w-]*\.json$/, parser: P.l7policy },
  { re: /^octavia\/l7rules-[\w-]*\.json$/, parser: P.l7rules },
  { re: /^octavia\/l7rule-[\w-]*\.json$/, parser: P.l7rule },
  { re: /^octavia\/quotas-list[\w-]*\.json$/, parser: P.lbQuotas },
  { re: /^octavia\/quotas?-[\w-]*\.json$/, parser: P.lbQuota },
  { re: /^octavia\/provider-list[\w-]*\.json$/, parser: P.providers },
  { re: /^octavia\/provider-[\w-]*capabilit[\w-]*\.json$/, parser: P.providerCapabilities },
  { re: /^octavia\/flavors-list[\w-]*\.json$/, parser: P.lbFlavors },
  { re: /^octavia\/flavor-[\w-]*\.json$/, parser: P.lbFlavor },
  { re: /^octavia\/availabilityzones?-list[\w-]*\.json$/, parser: P.lbAzs },
  { re: /^octavia\/availabilityzone-[\w-]*\.json$/, parser: P.lbAz },
];

/** Folders whose response bodies the tool reads: an unmapped response file there is a failure. */
const RELEVANT_FOLDER = /^(octavia\/|keystone\/auth\/|nova\/(servers|flavors|flavor-extra-specs|limits|os-attach-interfaces|os-availability-zone|os-keypairs|os-quota-sets|os-server-groups|os-server-tags|os-volume_attachments|server-metadata|versions)\/|cinder\/(volumes|snapshots|volume_type|volume_actions|quota_sets|limits|versions)\/|glance\/|neutron\/)/;

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? listFiles(p, base) : [path.relative(base, p).split(path.sep).join("/")];
  });
}

interface Outcome {
  file: string;
  rule: string;
  status: "parsed" | "skipped" | "unmapped" | "failed";
  error?: string;
}

function classify(file: string): Outcome {
  const rule = RULES.find((r) => r.re.test(file));
  if (!rule) {
    return RELEVANT_FOLDER.test(file)
      ? { file, rule: "(none)", status: "unmapped" }
      : { file, rule: "(not read: folder the tool does not use)", status: "skipped" };
  }
  if ("skip" in rule) return { file, rule: `(not read: ${rule.skip})`, status: "skipped" };
  try {
    rule.parser.parse(readFileSync(path.join(SAMPLES, file), "utf8"));
    return { file, rule: rule.parser.name, status: "parsed" };
  } catch (e) {
    return { file, rule: rule.parser.name, status: "failed", error: e instanceof Error ? e.message.slice(0, 1500) : String(e) };
  }
}

const present = existsSync(SAMPLES);
if (!present && process.env.CI === "true") {
  throw new Error(`conformance samples missing at ${SAMPLES} (required in CI)`);
}

describe.skipIf(!present)("OpenStack API samples parse with the client schemas", () => {
  const files = present ? listFiles(SAMPLES).sort() : [];
  const outcomes = files.map(classify);

  it("finds the samples", () => {
    expect(outcomes.filter((o) => o.status === "parsed").length).toBeGreaterThan(100);
  });

  it("maps every relevant response sample to a schema", () => {
    const unmapped = outcomes.filter((o) => o.status === "unmapped").map((o) => o.file);
    expect(unmapped, `relevant samples no rule maps:\n${unmapped.join("\n")}`).toEqual([]);
  });

  it.each(outcomes.filter((o) => o.status === "parsed" || o.status === "failed").map((o) => [o.file, o] as const))("%s", (_file, o) => {
    expect(o.error ?? "", `${o.file} with ${o.rule}`).toBe("");
  });

  it("prints which samples each schema covers", () => {
    const bySchema = new Map<string, string[]>();
    for (const o of outcomes) {
      if (o.status === "skipped") continue;
      bySchema.set(o.rule, [...(bySchema.get(o.rule) ?? []), o.file]);
    }
    const lines = [...bySchema.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([schema, fs]) => `${schema.padEnd(60)} ${fs.length}  ${fs.join(", ")}`);
    const skipped = outcomes.filter((o) => o.status === "skipped").length;
    console.log(`\nschema → samples (${outcomes.length - skipped} mapped, ${skipped} not read)\n${lines.join("\n")}\n`);
    // every schema the service clients export for a response kind the tool reads covers at least one sample
    for (const p of [P.server, P.servers, P.flavor, P.flavors, P.keypair, P.keypairs, P.serverGroup, P.serverGroups, P.interfaces, P.volumeAttachments, P.limits, P.quotaDetail, P.azs, P.volume, P.volumes, P.snapshot, P.snapshots, P.volumeTypes, P.image, P.images, P.network, P.networks, P.subnet, P.subnets, P.router, P.routers, P.port, P.ports, P.sg, P.rule, P.rules, P.fip, P.neutronQuotaDetails, P.extensions, P.token, P.catalog,
      P.lb, P.lbs, P.lbStatus, P.listener, P.pool, P.pools, P.member, P.members, P.monitor, P.l7policy, P.l7policies, P.l7rule, P.l7rules, P.lbQuota, P.lbFlavors, P.lbAzs]) {
      const covered = [...bySchema.keys()].some((k) => k.split(" | ").includes(p.name));
      expect(covered, `${p.name} covers no sample`).toBe(true);
    }
  });
});

describe.skipIf(present)("OpenStack API samples", () => {
  it.skip(`samples folder absent (${SAMPLES}); conformance not checked`, () => {});
});
