/**
 * Captures around workloads: image upload, servers (image boot and boot from
 * volume), volumes (empty, from image, attach, detach, upload to image),
 * snapshots, pagination of every list, detail views at the tool's
 * microversions, the status sequences of each long operation and the deletes.
 *
 * API: glance POST /v2/images, PUT|GET /v2/images/{id}/file, PATCH; nova POST
 * /servers, GET /servers/detail?limit=1, /servers/{id}, os-volume_attachments,
 * actions os-stop and createImage, DELETE; cinder POST /volumes, GET
 * /volumes/detail?limit=1, action os-volume_upload_image, DELETE; neutron
 * POST /floatingips.
 *
 * Quirks: a sequence shows a state only if it lasts one poll interval (150 ms;
 * 50 ms during the image upload), so absent intermediate states are not proof
 * that a cloud skips them.
 */
import { randomBytes } from "node:crypto";
import { CINDER_MV, findFlavor, findUbuntu, NOVA_MV, type BasicsResult } from "./capture-basics.js";
import type { CaptureContext } from "./capture.js";
import { call, expectStatus, recordSequence, type Exchange, type SequenceStep } from "./capture-http.js";

type Json = Record<string, any>;

/** Runs the workload captures in the main capture project. */
export async function captureWorkloads(ctx: CaptureContext, basics: BasicsResult): Promise<void> {
  const { user, out } = ctx;
  const nova = user.endpoints.compute!;
  const cinder = user.endpoints.volumev3!;
  const glance = user.endpoints.image!;
  const neutron = `${user.endpoints.network!}/v2.0`;
  const tok = { token: user.token };
  const nv = { ...tok, headers: NOVA_MV };
  const cv = { ...tok, headers: CINDER_MV };

  const getServer = async (id: string): Promise<Json> => {
    const r = await call("GET", `${nova}/servers/${id}`, nv);
    if (r.reply.status === 404) return { http: 404 };
    const s = r.reply.body.server;
    return { status: s.status, task_state: s["OS-EXT-STS:task_state"], vm_state: s["OS-EXT-STS:vm_state"], power_state: s["OS-EXT-STS:power_state"] };
  };
  const getVolume = async (id: string): Promise<Json> => {
    const r = await call("GET", `${cinder}/volumes/${id}`, cv);
    if (r.reply.status === 404) return { http: 404 };
    const v = r.reply.body.volume;
    return { status: v.status, attachments: (v.attachments as unknown[]).length };
  };
  const getImage = async (id: string): Promise<Json> => {
    const r = await call("GET", `${glance}/v2/images/${id}`, tok);
    if (r.reply.status === 404) return { http: 404 };
    return { status: r.reply.body.status, size: r.reply.body.size ?? null };
  };
  const sequence = (name: string, description: string, first: { exchange: Exchange }, poll: string, seq: { steps: SequenceStep[]; elapsed_ms: number }, intervalMs = 150) =>
    out.write("sequences", name, description, {
      request: first.exchange.request,
      response: { status: first.exchange.status, headers: first.exchange.headers, body: first.exchange.body },
      poll,
      interval_ms: intervalMs,
      steps: seq.steps,
      elapsed_ms: seq.elapsed_ms,
    });
  // Why follow to the end: a full last page still carries a next link in Neutron,
  // Glance and Nova, so the page that ends the walk is an empty one
  const paginate = async (svc: string, name: string, url: string, linksKey: string, what: string, base = "") => {
    const opts = url.startsWith(nova) ? nv : url.startsWith(cinder) ? cv : tok;
    let next: string | undefined = url;
    for (let page = 1; next && page <= 5; page++) {
      const r = await call("GET", page === 1 ? next : `${next.startsWith("http") ? "" : base}${next}`, opts);
      const u = new URL(r.exchange.request.url);
      const desc = page === 1 ? `GET ${u.pathname}${u.search}: ${what}` : `GET the next link of page ${page - 1}`;
      out.exchange(svc, `${name}-page${page}`, desc, r);
      const links = r.reply.body[linksKey];
      next = Array.isArray(links) ? links.find((l: { rel: string }) => l.rel === "next")?.href : links;
    }
  };

  const ubuntu = await findUbuntu(glance, user.token);
  const diskFlavor = await findFlavor(nova, user.token, "SCS-2V-4-20s");
  const disklessFlavor = await findFlavor(nova, user.token, "SCS-2V-4");

  // ------------------------------------------------------------- glance
  const imgCreate = await call("POST", `${glance}/v2/images`, {
    ...tok,
    json: { name: "cap-image", disk_format: "raw", container_format: "bare", visibility: "private", min_disk: 1, os_distro: "debian", app_version: "2.3.1" },
  });
  const img = expectStatus("create image", imgCreate, 201).body;
  out.exchange("glance", "image-create", "POST /v2/images: 201, status queued, extra properties at top level", imgCreate);
  const data = randomBytes(64 * 1024 * 1024);
  const t0 = Date.now();
  const upload = call("PUT", `${glance}/v2/images/${img.id}/file`, { ...tok, raw: data });
  const upSeq = await recordSequence(() => getImage(img.id), (s) => s.status === "active" || s.status === "killed", { intervalMs: 50, t0 });
  const uploaded = await upload;
  out.exchange("glance", "image-upload", "PUT /v2/images/{id}/file (64 MiB): 204, no body", uploaded);
  sequence("image-upload", "glance image statuses while PUT /file streams 64 MiB", uploaded, "GET /v2/images/{id}", upSeq, 50);
  out.exchange("glance", "image-show-active", "GET /v2/images/{id} after the upload: checksum (md5), os_hash_algo/os_hash_value (sha512), size", await call("GET", `${glance}/v2/images/${img.id}`, tok));
  out.exchange("glance", "409-upload-to-active-image", "PUT /file again on an active image", await call("PUT", `${glance}/v2/images/${img.id}/file`, { ...tok, raw: Buffer.from("again") }));
  out.exchange(
    "glance",
    "image-patch",
    "PATCH /v2/images/{id} (JSON patch: add a property, replace min_ram)",
    await call("PATCH", `${glance}/v2/images/${img.id}`, {
      ...tok,
      contentType: "application/openstack-images-v2.1-json-patch",
      json: [{ op: "add", path: "/migrated_by", value: "scs-migrate" }, { op: "replace", path: "/min_ram", value: 256 }],
    }),
  );
  out.exchange("glance", "image-show-public", "GET /v2/images/{id} of the public Ubuntu 24.04 as a member of another project", await call("GET", `${glance}/v2/images/${ubuntu}`, tok));
  out.exchange("glance", "image-download", "GET /v2/images/{id}/file of Ubuntu 24.04: headers only (Content-MD5 = checksum)", await call("GET", `${glance}/v2/images/${ubuntu}/file`, { ...tok, binary: true }));
  await paginate("glance", "images-list-limit1", `${glance}/v2/images?limit=1`, "next", "`next` is a relative URL with marker", glance);

  // -------------------------------------------------------------- nova
  const port = await call("GET", `${neutron}/ports?fixed_ips=ip_address%3D10.99.0.50`, tok);
  const preport = port.reply.body.ports?.[0]?.id as string | undefined;
  out.exchange(
    "nova",
    "403-zero-disk-flavor-image-boot",
    "POST /servers booting an image on a diskless flavor (SCS-2V-4) as a member: forbidden by Nova's default policy",
    await call("POST", `${nova}/servers`, { ...nv, json: { server: { name: "cap-zero", flavorRef: disklessFlavor, imageRef: ubuntu, networks: [{ uuid: basics.networkId }] } } }),
  );
  const vm1Create = await call("POST", `${nova}/servers`, {
    ...nv,
    json: {
      server: {
        name: "cap-vm-1", flavorRef: diskFlavor, imageRef: ubuntu, key_name: basics.keyName,
        networks: [{ uuid: basics.networkId, fixed_ip: "10.99.0.21" }], security_groups: [{ name: basics.securityGroup }],
        metadata: { role: "web" }, tags: ["web"], description: "capture server",
      },
      "os:scheduler_hints": { group: basics.serverGroupId },
    },
  });
  const vm1 = expectStatus("create vm1", vm1Create, 202).body.server.id as string;
  out.exchange("nova", "server-create", "POST /servers at 2.79 (image boot, fixed IP, SG, keypair, tags, server group hint): 202 with adminPass and a Location header", vm1Create);
  sequence("server-create", "server statuses from POST /servers to ACTIVE (image boot)", vm1Create, "GET /servers/{id}",
    await recordSequence(() => getServer(vm1), (s) => s.status === "ACTIVE" || s.status === "ERROR"));

  const vm2Create = await call("POST", `${nova}/servers`, {
    ...nv,
    json: {
      server: {
        name: "cap-vm-2", flavorRef: disklessFlavor, key_name: basics.keyName,
        networks: preport ? [{ port: preport }] : [{ uuid: basics.networkId }],
        block_device_mapping_v2: [{ boot_index: 0, uuid: ubuntu, source_type: "image", destination_type: "volume", volume_size: 1, delete_on_termination: true }],
      },
    },
  });
  const vm2 = expectStatus("create vm2", vm2Create, 202).body.server.id as string;
  out.exchange("nova", "server-create-boot-from-volume", "POST /servers with block_device_mapping_v2 (image → new 1 GB volume) on a diskless flavor, on a pre-made port", vm2Create);
  sequence("server-create-boot-from-volume", "server statuses for a boot-from-volume create (Cinder builds the root volume from the image)", vm2Create, "GET /servers/{id}",
    await recordSequence(() => getServer(vm2), (s) => s.status === "ACTIVE" || s.status === "ERROR"));
  await paginate("nova", "servers-detail-limit1", `${nova}/servers/detail?limit=1`, "servers_links", "servers_links with rel=next (absolute URL, marker)");

  // ------------------------------------------------------------ cinder
  const emptyCreate = await call("POST", `${cinder}/volumes`, { ...cv, json: { volume: { size: 1, name: "cap-vol-empty", description: "empty", metadata: { tier: "db" }, volume_type: "ssd" } } });
  const emptyVol = expectStatus("create volume", emptyCreate, 202).body.volume.id as string;
  out.exchange("cinder", "volume-create", "POST /volumes at 3.60 (empty, type ssd, metadata): 202", emptyCreate);
  sequence("volume-create-empty", "volume statuses for an empty volume", emptyCreate, "GET /volumes/{id}",
    await recordSequence(() => getVolume(emptyVol), (s) => s.status === "available" || String(s.status).startsWith("error")));
  const fromImgCreate = await call("POST", `${cinder}/volumes`, { ...cv, json: { volume: { size: 1, name: "cap-vol-img", imageRef: ubuntu } } });
  const imgVol = expectStatus("create volume from image", fromImgCreate, 202).body.volume.id as string;
  out.exchange("cinder", "volume-create-from-image", "POST /volumes with imageRef: 202", fromImgCreate);
  sequence("volume-create-from-image", "volume statuses for a volume created from a 4 MiB image", fromImgCreate, "GET /volumes/{id}",
    await recordSequence(() => getVolume(imgVol), (s) => s.status === "available" || String(s.status).startsWith("error")));
  out.exchange("cinder", "volume-show-3.60-from-image", "GET /volumes/{id} at 3.60 of a volume made from an image: volume_image_metadata (incl. signature_verified)", await call("GET", `${cinder}/volumes/${imgVol}`, cv));

  const attach = await call("POST", `${nova}/servers/${vm1}/os-volume_attachments`, { ...nv, json: { volumeAttachment: { volumeId: emptyVol, delete_on_termination: false } } });
  expectStatus("attach", attach, 200);
  out.exchange("nova", "volume-attach", "POST /servers/{id}/os-volume_attachments at 2.79: 200 with the attachment (device, tag, delete_on_termination)", attach);
  sequence("volume-attach", "cinder volume statuses while Nova attaches it", attach, "GET /volumes/{id}",
    await recordSequence(() => getVolume(emptyVol), (s) => s.status === "in-use" || String(s.status).startsWith("error")));
  out.exchange("cinder", "400-delete-in-use-volume", "DELETE /volumes/{id} of an attached volume", await call("DELETE", `${cinder}/volumes/${emptyVol}`, cv));
  out.exchange("neutron", "409-network-in-use", "DELETE /v2.0/networks/{id} while servers have ports on it", await call("DELETE", `${neutron}/networks/${basics.networkId}`, tok));

  const vm1Port = (await call("GET", `${neutron}/ports?device_id=${vm1}`, tok)).reply.body.ports[0].id as string;
  out.exchange(
    "neutron",
    "floatingip-create-associated",
    "POST /v2.0/floatingips on the default external network, bound to a server port",
    await call("POST", `${neutron}/floatingips`, { ...tok, json: { floatingip: { floating_network_id: basics.publicNetworkId, port_id: vm1Port, description: "web-1" } } }),
  );
  // Nova learns about the floating IP from a Neutron event: wait until it shows up
  let vm1Show = await call("GET", `${nova}/servers/${vm1}`, nv);
  for (let i = 0; i < 40 && !JSON.stringify(vm1Show.reply.body).includes('"floating"'); i++) {
    await new Promise((r) => setTimeout(r, 500));
    vm1Show = await call("GET", `${nova}/servers/${vm1}`, nv);
  }
  out.exchange("nova", "server-show-2.79", "GET /servers/{id} at 2.79: image-booted, a volume attached, fixed and floating address", vm1Show);
  out.exchange("nova", "server-show-2.79-boot-from-volume", "GET /servers/{id} at 2.79 of a boot-from-volume server (image is \"\")", await call("GET", `${nova}/servers/${vm2}`, nv));
  out.exchange("nova", "server-show-2.1", "GET /servers/{id} without a microversion (no tags, no description, flavor as id+links)", await call("GET", `${nova}/servers/${vm1}`, tok));
  out.exchange("nova", "server-volume-attachments", "GET /servers/{id}/os-volume_attachments at 2.79", await call("GET", `${nova}/servers/${vm1}/os-volume_attachments`, nv));
  out.exchange("cinder", "volume-show-3.60-attached", "GET /volumes/{id} at 3.60 of an attached volume: attachments[]", await call("GET", `${cinder}/volumes/${emptyVol}`, cv));
  await paginate("cinder", "volumes-detail-limit1", `${cinder}/volumes/detail?limit=1`, "volumes_links", "volumes_links with rel=next (absolute URL, marker)");

  const snapCreate = await call("POST", `${cinder}/snapshots`, { ...cv, json: { snapshot: { volume_id: imgVol, name: "cap-snap", description: "capture snapshot", metadata: { purpose: "capture" } } } });
  const snapId = expectStatus("snapshot", snapCreate, 202).body.snapshot.id as string;
  out.exchange("cinder", "snapshot-create", "POST /snapshots at 3.60: 202", snapCreate);
  sequence("snapshot-create", "snapshot statuses after POST /snapshots", snapCreate, "GET /snapshots/{id}",
    await recordSequence(async () => ({ status: (await call("GET", `${cinder}/snapshots/${snapId}`, cv)).reply.body.snapshot?.status }), (s) => s.status === "available" || String(s.status).startsWith("error")));
  out.exchange("cinder", "snapshot-show-3.60", "GET /snapshots/{id} at 3.60", await call("GET", `${cinder}/snapshots/${snapId}`, cv));
  out.exchange("cinder", "400-delete-volume-with-snapshot", "DELETE /volumes/{id} of a volume that has a snapshot", await call("DELETE", `${cinder}/volumes/${imgVol}`, cv));

  const uploadAction = await call("POST", `${cinder}/volumes/${imgVol}/action`, {
    ...cv,
    json: { "os-volume_upload_image": { image_name: "cap-vol-upload", disk_format: "raw", container_format: "bare", visibility: "private", force: false } },
  });
  const upImage = expectStatus("upload to image", uploadAction, 202).body["os-volume_upload_image"].image_id as string;
  out.exchange("cinder", "volume-upload-to-image", "POST /volumes/{id}/action os-volume_upload_image at 3.60: 202 with the new image id", uploadAction);
  sequence("volume-upload-to-image", "volume and image statuses during os-volume_upload_image", uploadAction, "GET /volumes/{id} and GET /v2/images/{image_id}",
    await recordSequence(async () => ({ volume: (await getVolume(imgVol)).status, image: (await getImage(upImage)).status }), (s) => s.volume === "available" && (s.image === "active" || s.image === "killed")));
  out.exchange("glance", "image-show-uploaded-from-volume", "GET /v2/images/{id} of an image uploaded from a volume (carries signature_verified and the volume's image metadata)", await call("GET", `${glance}/v2/images/${upImage}`, tok));

  const detach = await call("DELETE", `${nova}/servers/${vm1}/os-volume_attachments/${emptyVol}`, nv);
  out.exchange("nova", "volume-detach", "DELETE /servers/{id}/os-volume_attachments/{volume}: 202", detach);
  sequence("volume-detach", "cinder volume statuses while Nova detaches it", detach, "GET /volumes/{id}",
    await recordSequence(() => getVolume(emptyVol), (s) => s.status === "available" || String(s.status).startsWith("error")));

  const stop = await call("POST", `${nova}/servers/${vm1}/action`, { ...nv, json: { "os-stop": null } });
  out.exchange("nova", "server-stop", "POST /servers/{id}/action os-stop: 202", stop);
  sequence("server-stop", "server statuses after os-stop", stop, "GET /servers/{id}", await recordSequence(() => getServer(vm1), (s) => s.status === "SHUTOFF" || s.status === "ERROR"));
  out.exchange("nova", "409-stop-stopped", "POST os-stop on a SHUTOFF server", await call("POST", `${nova}/servers/${vm1}/action`, { ...nv, json: { "os-stop": null } }));

  const snap = await call("POST", `${nova}/servers/${vm1}/action`, { ...nv, json: { createImage: { name: "cap-vm-1-snap", metadata: { purpose: "capture" } } } });
  const snapImage = expectStatus("createImage", snap, 202).body.image_id as string;
  out.exchange("nova", "server-create-image", "POST /servers/{id}/action createImage at 2.79: 202, body {image_id} (2.45+)", snap);
  sequence("server-create-image", "server task_state and snapshot image status during createImage", snap, "GET /servers/{id} and GET /v2/images/{image_id}",
    await recordSequence(async () => ({ server: await getServer(vm1), image: (await getImage(snapImage)).status }), (s) => (s.image === "active" || s.image === "killed") && (s.server as Json).task_state == null));
  out.exchange("glance", "image-show-server-snapshot", "GET /v2/images/{id} of a server snapshot (image_type snapshot, instance_uuid, base_image_ref)", await call("GET", `${glance}/v2/images/${snapImage}`, tok));

  // ----------------------------------------------------------- deletes
  const vm2Root = ((await call("GET", `${nova}/servers/${vm2}`, nv)).reply.body.server["os-extended-volumes:volumes_attached"] as { id: string }[])[0]?.id;
  const del = await call("DELETE", `${nova}/servers/${vm2}`, nv);
  out.exchange("nova", "server-delete", "DELETE /servers/{id}: 204", del);
  sequence("server-delete-boot-from-volume", "server status and its root volume (delete_on_termination) after DELETE", del, "GET /servers/{id} and GET /volumes/{root}",
    await recordSequence(async () => ({ server: await getServer(vm2), root_volume: vm2Root ? await getVolume(vm2Root) : null }), (s) => (s.server as Json).http === 404 && (!s.root_volume || (s.root_volume as Json).http === 404)));
  out.exchange("nova", "404-server-after-delete", "GET /servers/{id} once the delete finished", await call("GET", `${nova}/servers/${vm2}`, nv));
  const vdel = await call("DELETE", `${cinder}/volumes/${emptyVol}`, cv);
  out.exchange("cinder", "volume-delete", "DELETE /volumes/{id}: 202", vdel);
  sequence("volume-delete", "volume statuses after DELETE until 404", vdel, "GET /volumes/{id}", await recordSequence(() => getVolume(emptyVol), (s) => s.http === 404));
  const idel = await call("DELETE", `${glance}/v2/images/${img.id}`, tok);
  out.exchange("glance", "image-delete", "DELETE /v2/images/{id}: 204", idel);
  out.exchange("glance", "404-image-after-delete", "GET /v2/images/{id} after DELETE (no deleted state visible)", await call("GET", `${glance}/v2/images/${img.id}`, tok));
}
