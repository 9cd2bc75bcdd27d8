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
const MIN_KEPT_CHUNKS = 6;
/** Decoded pixels (RGBA) kept at most: 24 chunks of 1080p frames would be 6 GB. */
const KEPT_PIXEL_BYTES = 1.5e9;

/** One chunk: its JPEGs, each decoded once when first wanted. */
class LoadedChunk {
  private readonly bitmaps: (Promise<ImageBitmap> | undefined)[] = [];
  private closed = false;

  constructor(
    private readonly data: ArrayBuffer,
    private readonly offsets: number[],
  ) {}

  get length(): number {
    return this.offsets.length - 1;
  }

  bitmap(i: number): Promise<ImageBitmap> {
    const known = this.bitmaps[i];
    if (known) return known;
    if (i < 0 || i >= this.length) return Promise.reject(new Error(`no frame ${i} in this chunk`));
    const blob = new Blob([this.data.slice(this.offsets[i] as number, this.offsets[i + 1] as number)], { type: "image/jpeg" });
    const made = createImageBitmap(blob).then((b) => {
      if (this.closed) b.close(); // dropped while it was decoding
      return b;
    });
    this.bitmaps[i] = made;
    return made;
  }

  /** Every frame decoded (those not yet asked for, after the ones that were). */
  decodeAll(): void {
    for (let i = 0; i < this.length; i++) void this.bitmap(i).catch(() => undefined);
  }

  close(): void {
    this.closed = true;
    for (const b of this.bitmaps) void b?.then((bitmap) => bitmap.close()).catch(() => undefined);
  }
}

/**
 * The decoded frames of one video, chunk by chunk. A seek decodes the frame asked for first
 * (then the rest of its chunk, for the steps that follow): a chunk's 32 JPEGs decoded
 * together before the first is shown made a 1080p seek take most of a second.
 */
export class FrameStore {
  private chunks = new Map<number, Promise<LoadedChunk>>();
  private whole: Promise<ArrayBuffer> | null = null;
  private readonly kept: number;

  constructor(
    readonly manifest: Manifest,
    private readonly url: string,
  ) {
    const chunkBytes = manifest.chunk_frames * manifest.width * manifest.height * 4;
    this.kept = Math.max(MIN_KEPT_CHUNKS, Math.min(KEPT_CHUNKS, Math.floor(KEPT_PIXEL_BYTES / Math.max(1, chunkBytes))));
  }

  chunkOf(frame: number): number {
    return Math.floor(frame / this.manifest.chunk_frames);
  }

  /** The frame's bitmap (its chunk fetched and the frame decoded if needed). */
  async frame(index: number): Promise<ImageBitmap> {
    const chunk = this.chunkOf(index);
    const loaded = await this.load(chunk);
    const bitmap = await loaded.bitmap(index - chunk * this.manifest.chunk_frames);
    loaded.decodeAll();
    return bitmap;
  }

  /** Whether the frame's chunk is fetched or being fetched. */
  has(index: number): boolean {
    return this.chunks.has(this.chunkOf(index));
  }

  /** Fetch and decode the chunks from the frame's to `ahead` chunks after it. */
  prefetch(index: number, ahead = 2): void {
    const first = this.chunkOf(index);
    for (let c = first; c <= first + ahead && c < this.manifest.chunks.length; c++) {
      void this.load(c)
        .then((loaded) => loaded.decodeAll())
        .catch(() => undefined);
    }
  }

  close(): void {
    for (const chunk of this.chunks.values()) void chunk.then((loaded) => loaded.close()).catch(() => undefined);
    this.chunks.clear();
  }

  private load(index: number): Promise<LoadedChunk> {
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
    while (this.chunks.size > this.kept) {
      const oldest = this.chunks.keys().next().value as number;
      const gone = this.chunks.get(oldest);
      this.chunks.delete(oldest);
      void gone?.then((loaded) => loaded.close()).catch(() => undefined);
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

  private async fetchChunk(index: number): Promise<LoadedChunk> {
    const chunk = this.manifest.chunks[index];
    if (!chunk) throw new Error(`no chunk ${index}`);
    return new LoadedChunk(await this.bytes(chunk), chunk.offsets);
  }
}
