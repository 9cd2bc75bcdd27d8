/**
 * A video's pre-decoded frames (docs/video.md): the manifest, and the frames themselves read
 * chunk by chunk from `frames.bin` with HTTP range requests, decoded to ImageBitmaps and kept
 * for the chunks near the playhead. Frame N here is frame N as FFmpeg decodes it on the
 * server: no `<video>` element is involved, so seeking and stepping are exact.
 */
import type { Json } from "../../../api/types";
import { UiState } from "../../uiState";

export interface Chunk {
  start: number;
  end: number;
  /** Each frame's start from the chunk's start, then the chunk's length. */
  offsets: number[];
}

export interface Manifest {
  frames: number;
  width: number;
  height: number;
  fps: number;
  variable_rate: boolean;
  duration: number;
  chunk_frames: number;
  times: number[];
  chunks: Chunk[];
}

export type FramesState = "pending" | "ready" | "failed";

export interface VideoSource {
  src: string;
  state: FramesState;
  manifest: string | null;
  data: string | null;
  error: string | null;
}

/** A video field's value as the server reads it out (see accord.media.video_links). */
export function videoSourceOf(value: Json | undefined): VideoSource | null {
  if (typeof value === "string" && value) {
    return { src: value, state: "failed", manifest: null, data: null, error: "no frames were made for this video (a web address, or a reference without a video extension)" };
  }
  if (!value || typeof value !== "object" || Array.isArray(value) || typeof value.src !== "string") return null;
  const text = (key: string): string | null => {
    const v = value[key];
    return typeof v === "string" && v ? v : null;
  };
  const raw = text("frames_state");
  const state: FramesState = raw === "ready" || raw === "failed" ? raw : "pending";
  return { src: value.src, state, manifest: text("manifest"), data: text("frames_data"), error: text("frames_error") ?? text("error") };
}

/**
 * What a player shares with the questions drawn under it (the events timeline): the frame it
 * shows (setting it seeks the player) and its manifest once loaded (frame count and times).
 */
export interface PlayerLink {
  frame: UiState<number>;
  manifest: UiState<Manifest | null>;
  /** The frame last drawn and its picture (a tracks question draws it under its shapes). */
  shown?: UiState<ShownFrame | null>;
}

export interface ShownFrame {
  frame: number;
  bitmap: ImageBitmap;
}

/** A fresh link (a player not linked to anything uses one of its own). */
export function playerLink(): PlayerLink {
  return { frame: new UiState(0), manifest: new UiState<Manifest | null>(null), shown: new UiState<ShownFrame | null>(null) };
}

/** The frame shown at `seconds` from the start: the last whose time is at or before it. */
export function frameAt(times: number[], seconds: number): number {
  let low = 0;
  let high = times.length - 1;
  if (high < 0) return 0;
  if (seconds <= (times[0] as number)) return 0;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((times[mid] as number) <= seconds + 1e-9) low = mid;
    else high = mid - 1;
  }
  return low;
}

export async function loadManifest(url: string, signal?: AbortSignal): Promise<Manifest> {
  const answer = await fetch(url, { signal, credentials: "same-origin" });
  if (!answer.ok) throw new Error(`the frames' manifest could not be read (HTTP ${answer.status})`);
  return (await answer.json()) as Manifest;
}

const KEPT_CHUNKS = 24;

/** The decoded frames of one video, chunk by chunk. */
export class FrameStore {
  private chunks = new Map<number, Promise<ImageBitmap[]>>();
  private whole: Promise<ArrayBuffer> | null = null;

  constructor(
    readonly manifest: Manifest,
    private readonly url: string,
  ) {}

  chunkOf(frame: number): number {
    return Math.floor(frame / this.manifest.chunk_frames);
  }

  /** The frame's bitmap (its chunk fetched and decoded if needed). */
  async frame(index: number): Promise<ImageBitmap> {
    const chunk = this.chunkOf(index);
    const bitmaps = await this.load(chunk);
    const bitmap = bitmaps[index - chunk * this.manifest.chunk_frames];
    if (!bitmap) throw new Error(`frame ${index} is not in its chunk`);
    return bitmap;
  }

  /** Whether the frame is decoded already (drawing it will not wait). */
  has(index: number): boolean {
    return this.chunks.has(this.chunkOf(index));
  }

  /** Fetch the chunks from the frame's to `ahead` chunks after it. */
  prefetch(index: number, ahead = 2): void {
    const first = this.chunkOf(index);
    for (let c = first; c <= first + ahead && c < this.manifest.chunks.length; c++) void this.load(c).catch(() => undefined);
  }

  close(): void {
    for (const chunk of this.chunks.values()) void chunk.then((bitmaps) => bitmaps.forEach((b) => b.close())).catch(() => undefined);
    this.chunks.clear();
  }

  private load(index: number): Promise<ImageBitmap[]> {
    const known = this.chunks.get(index);
    if (known) {
      this.chunks.delete(index); // most recently used last
      this.chunks.set(index, known);
      return known;
    }
    const loading = this.fetchChunk(index);
    this.chunks.set(index, loading);
    loading.catch(() => this.chunks.delete(index));
    this.evict();
    return loading;
  }

  private evict(): void {
    while (this.chunks.size > KEPT_CHUNKS) {
      const oldest = this.chunks.keys().next().value as number;
      const gone = this.chunks.get(oldest);
      this.chunks.delete(oldest);
      void gone?.then((bitmaps) => bitmaps.forEach((b) => b.close())).catch(() => undefined);
    }
  }

  private async bytes(chunk: Chunk): Promise<ArrayBuffer> {
    if (this.whole) return (await this.whole).slice(chunk.start, chunk.end);
    const answer = await fetch(this.url, { headers: { Range: `bytes=${chunk.start}-${chunk.end - 1}` }, credentials: "same-origin" });
    if (answer.status === 206) return answer.arrayBuffer();
    if (answer.status === 200) {
      // The server sent the whole file (no range support): keep it, cut every chunk from it.
      this.whole = answer.arrayBuffer();
      return (await this.whole).slice(chunk.start, chunk.end);
    }
    throw new Error(`the frames could not be read (HTTP ${answer.status}); reload the page`);
  }

  private async fetchChunk(index: number): Promise<ImageBitmap[]> {
    const chunk = this.manifest.chunks[index];
    if (!chunk) throw new Error(`no chunk ${index}`);
    const data = await this.bytes(chunk);
    const { offsets } = chunk;
    const images: Promise<ImageBitmap>[] = [];
    for (let i = 0; i + 1 < offsets.length; i++) {
      const blob = new Blob([data.slice(offsets[i] as number, offsets[i + 1] as number)], { type: "image/jpeg" });
      images.push(createImageBitmap(blob));
    }
    return Promise.all(images);
  }
}
