/**
 * P1, the data path: image and volume bytes from one simulated cloud to
 * another through the tool's mover, against a raw baseline (GET piped into
 * PUT, no hashing) between the same endpoints in the same run. Both run in a
 * child process each, so the peak RSS is the mover's own; the simulator runs
 * here, with its bytes on disk (`dataDir`).
 *
 * Three ceilings say whether the simulator limits the baseline: a plain read
 * of the source blob file, the source's download alone, and the target's
 * upload alone (the target hashes md5 + sha512 of everything it takes, as
 * Glance does). The single-thread md5 + sha512 rate of this CPU is measured
 * too, because the tool hashes on its main thread.
 *
 * Repetitions are interleaved (rep 1 of every mode, then rep 2 …) so slow
 * drift of a shared machine spreads over all modes; the median is reported.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startSim, type SimCloud } from "../src/sim/index.js";
import { runWorker } from "./lib/child.js";
import { fmt, type BenchResult, type Row } from "./lib/report.js";
import { seedImage, simCall, simToken, waitVolume } from "./lib/sim-api.js";
import { mbps, median, round, sizeLabel } from "./lib/stats.js";
import type { P1Input, P1Output } from "./workers/p1-types.js";

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** Sizes and repetitions of P1. */
export interface P1Config {
  /** Single-transfer sizes, each with its repetitions (the 4 GiB copy is long enough to run once). */
  sizes: { size: number; reps: number }[];
  parallel: { count: number; size: number };
  reps: number;
  /** Repetitions of the simulator ceiling probes (file read, download only, upload only), run at the first size. */
  probeReps: number;
  pollMs: number;
}

export const P1_FULL: P1Config = { sizes: [{ size: GiB, reps: 3 }, { size: 4 * GiB, reps: 1 }], parallel: { count: 4, size: 256 * MiB }, reps: 3, probeReps: 1, pollMs: 50 };
export const P1_QUICK: P1Config = { sizes: [{ size: 256 * MiB, reps: 3 }], parallel: { count: 4, size: 32 * MiB }, reps: 3, probeReps: 1, pollMs: 50 };

const ZERO_DELAYS = { serverBuild: 0, serverDelete: 0, serverAction: 0, serverImage: 0, volumeCreate: 0, volumeDownload: 0, volumeDelete: 0, volumeAttach: 0, imageSave: 0 };
const UNLIMITED = { image_size_total: -1, image_count_total: -1, image_stage_total: -1, image_count_uploading: -1, volumes: -1, gigabytes: -1, per_volume_gigabytes: -1 } as const;

type Mode = P1Input["mode"];
interface Sample {
  mbps: number;
  rssMiB: number;
}

/** md5 then sha512 over the same 256 MiB on this thread: the ceiling of a mover that hashes inline. */
function hashCeilingMBps(): number {
  const buf = Buffer.alloc(MiB, 0x5a);
  const md5 = createHash("md5");
  const sha = createHash("sha512");
  const t0 = performance.now();
  for (let i = 0; i < 256; i++) {
    md5.update(buf);
    sha.update(buf);
  }
  md5.digest();
  sha.digest();
  return mbps(256 * MiB, performance.now() - t0);
}

/** Runs P1 and returns its figures. */
export async function runP1(cfg: P1Config, log: (s: string) => void): Promise<Omit<BenchResult, "wallSeconds">> {
  const base = mkdtempSync(path.join(tmpdir(), "scs-bench-p1-"));
  const sim = await startSim({
    clouds: [
      { name: "bench-src", dataDir: path.join(base, "src"), delays: ZERO_DELAYS, quotas: UNLIMITED },
      { name: "bench-dst", dataDir: path.join(base, "dst"), delays: ZERO_DELAYS, quotas: UNLIMITED, externalCidr: "198.51.100.0/24" },
    ],
  });
  try {
    const cloudsFile = path.join(base, "clouds.yaml");
    writeFileSync(cloudsFile, sim.cloudsYaml(), { mode: 0o600 });
    const src = sim.cloud("bench-src");
    const dst = sim.cloud("bench-dst");
    const srcTok = await simToken(src);
    const dstTok = await simToken(dst);
    const srcCall = simCall(src, srcTok);
    const end = (c: SimCloud, token: string) => ({ name: c.name, baseUrl: c.baseUrl, token });

    const hashMBps = hashCeilingMBps();
    log(`P1: md5+sha512 on one thread: ${fmt(hashMBps)} MB/s`);

    const seeded = new Map<number, { imageId: string; volumeId: string; blobPath: string }>();
    const seedSize = async (size: number, withVolume: boolean) => {
      if (seeded.has(size)) return seeded.get(size)!;
      const t0 = performance.now();
      const imageId = await seedImage(src, srcTok, `bench-${size}`, size);
      const blobPath = src.store.images.get(imageId)?.blob?.path ?? "";
      let volumeId = "";
      if (withVolume) {
        volumeId = (await srcCall("POST", "/volume/v3/{project}/volumes", { volume: { name: `bench-vol-${size}`, size: Math.ceil(size / GiB), imageRef: imageId } })).volume.id;
        await waitVolume(srcCall, volumeId, "available");
      }
      log(`P1: seeded ${sizeLabel(size)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      const s = { imageId, volumeId, blobPath };
      seeded.set(size, s);
      return s;
    };

    const run = async (mode: Mode, size: number, imageIds: string[], extra: Partial<P1Input> = {}): Promise<Sample> => {
      const input: P1Input = { mode, cloudsFile, src: end(src, srcTok), dst: end(dst, dstTok), imageIds, size, pollMs: cfg.pollMs, ...extra };
      const r = await runWorker<P1Output>(mode.startsWith("tool") ? "p1-tool" : "p1-raw", input);
      if (r.bytes !== size * imageIds.length) throw new Error(`${mode}: moved ${r.bytes} bytes, expected ${size * imageIds.length}`);
      return { mbps: mbps(r.bytes, r.ms), rssMiB: r.maxRssKiB / 1024 };
    };

    const rows: Row[] = [{ metric: "md5+sha512 on one thread", value: `${fmt(hashMBps)} MB/s`, note: "CPU ceiling of a mover hashing inline" }];
    const sizes: Record<string, unknown>[] = [];
    for (const [index, { size, reps }] of cfg.sizes.entries()) {
      const s = await seedSize(size, true);
      const samples: Record<Mode, Sample[]> = { "file-read": [], download: [], upload: [], raw: [], "tool-image": [], "tool-volume": [] };
      for (let rep = 0; rep < reps; rep++) {
        if (index === 0 && rep < cfg.probeReps) {
          samples["file-read"].push(await run("file-read", size, [s.imageId], { blobPath: s.blobPath }));
          samples.download.push(await run("download", size, [s.imageId]));
          samples.upload.push(await run("upload", size, [s.imageId]));
        }
        samples.raw.push(await run("raw", size, [s.imageId]));
        samples["tool-image"].push(await run("tool-image", size, [s.imageId]));
        samples["tool-volume"].push(await run("tool-volume", size, [s.imageId], { volumeId: s.volumeId, volumeSizeGiB: Math.ceil(size / GiB) }));
        log(`P1: ${sizeLabel(size)} rep ${rep + 1}/${reps}: raw ${fmt(samples.raw.at(-1)!.mbps)}, tool ${fmt(samples["tool-image"].at(-1)!.mbps)}, volume ${fmt(samples["tool-volume"].at(-1)!.mbps)} MB/s`);
      }
      const med = (m: Mode) => (samples[m].length ? median(samples[m].map((x) => x.mbps)) : NaN);
      const rss = (m: Mode) => Math.max(...samples[m].map((x) => x.rssMiB));
      const fig = {
        sizeBytes: size,
        reps,
        fileReadMBps: round(med("file-read"), 1),
        simDownloadMBps: round(med("download"), 1),
        simUploadMBps: round(med("upload"), 1),
        rawMBps: round(med("raw"), 1),
        toolImageMBps: round(med("tool-image"), 1),
        toolVolumeMBps: round(med("tool-volume"), 1),
        imageRatio: round(med("tool-image") / med("raw"), 3),
        volumeRatio: round(med("tool-volume") / med("raw"), 3),
        toolImageMaxRssMiB: round(rss("tool-image"), 1),
        toolVolumeMaxRssMiB: round(rss("tool-volume"), 1),
        rawMaxRssMiB: round(rss("raw"), 1),
        samplesMBps: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map((x) => round(x.mbps, 1))])),
      };
      sizes.push(fig);
      const L = sizeLabel(size);
      if (index === 0) {
        rows.push(
          { metric: `${L} blob file read`, value: `${fmt(fig.fileReadMBps)} MB/s`, note: "disk/page cache" },
          { metric: `${L} simulator download only`, value: `${fmt(fig.simDownloadMBps)} MB/s` },
          { metric: `${L} simulator upload only`, value: `${fmt(fig.simUploadMBps)} MB/s`, note: "target hashes md5+sha512 like Glance" },
        );
      }
      rows.push(
        { metric: `${L} raw GET→PUT`, value: `${fmt(fig.rawMBps)} MB/s`, note: `peak RSS ${fmt(fig.rawMaxRssMiB)} MiB` },
        { metric: `${L} tool image copy`, value: `${fmt(fig.toolImageMBps)} MB/s`, note: `ratio ${fmt(fig.imageRatio, 2)} of raw, peak RSS ${fmt(fig.toolImageMaxRssMiB)} MiB` },
        { metric: `${L} tool volume copy`, value: `${fmt(fig.toolVolumeMBps)} MB/s`, note: `ratio ${fmt(fig.volumeRatio, 2)} of raw, peak RSS ${fmt(fig.toolVolumeMaxRssMiB)} MiB` },
      );
    }

    const { count, size } = cfg.parallel;
    const p = await seedSize(size, false);
    const ids = Array.from({ length: count }, () => p.imageId);
    const par: Record<"raw" | "tool-image", Sample[]> = { raw: [], "tool-image": [] };
    for (let rep = 0; rep < cfg.reps; rep++) {
      par.raw.push(await run("raw", size, ids));
      par["tool-image"].push(await run("tool-image", size, ids));
    }
    const pRaw = median(par.raw.map((x) => x.mbps));
    const pTool = median(par["tool-image"].map((x) => x.mbps));
    const parallel = {
      count,
      sizeBytes: size,
      rawAggregateMBps: round(pRaw, 1),
      toolAggregateMBps: round(pTool, 1),
      ratio: round(pTool / pRaw, 3),
      toolMaxRssMiB: round(Math.max(...par["tool-image"].map((x) => x.rssMiB)), 1),
      rawMaxRssMiB: round(Math.max(...par.raw.map((x) => x.rssMiB)), 1),
    };
    rows.push(
      { metric: `${count}×${sizeLabel(size)} parallel raw`, value: `${fmt(parallel.rawAggregateMBps)} MB/s`, note: "aggregate" },
      { metric: `${count}×${sizeLabel(size)} parallel tool`, value: `${fmt(parallel.toolAggregateMBps)} MB/s`, note: `aggregate, ratio ${fmt(parallel.ratio, 2)}, peak RSS ${fmt(parallel.toolMaxRssMiB)} MiB` },
    );
    return { id: "p1", title: "data path (image/volume copy between two simulated clouds)", rows, data: { hashCeilingMBps: round(hashMBps, 1), sizes, parallel, reps: cfg.reps, pollMs: cfg.pollMs } };
  } finally {
    await sim.close();
    rmSync(base, { recursive: true, force: true });
  }
}
