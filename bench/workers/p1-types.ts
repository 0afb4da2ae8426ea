/**
 * The input and output of the P1 workers (p1-raw.ts, p1-tool.ts), shared
 * with the orchestrator in bench/p1-data-path.ts.
 */

/** One endpoint as the raw modes see it. */
export interface RawEnd {
  baseUrl: string;
  token: string;
}

/** What the P1 orchestrator sends to a worker. */
export interface P1Input {
  mode: "tool-image" | "tool-volume" | "raw" | "download" | "upload" | "file-read";
  cloudsFile: string;
  src: RawEnd & { name: string };
  dst: RawEnd & { name: string };
  /** Source images, copied concurrently (one entry: a single transfer). */
  imageIds: string[];
  volumeId?: string;
  volumeSizeGiB?: number;
  blobPath?: string;
  size: number;
  pollMs: number;
}

/** What a P1 worker reports (besides its peak RSS). */
export interface P1Output {
  bytes: number;
  ms: number;
}
