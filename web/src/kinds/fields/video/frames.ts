/**
 * A video's pre-decoded frames (docs/video.md): the manifest, and the frames themselves read
 * from `frames.bin` with HTTP range requests (a chunk at a time, or one frame alone for a
 * seek), decoded to ImageBitmaps ahead of the playhead and kept within a memory budget.
 * Frame N here is frame N as FFmpeg decodes it on the server: no `<video>` element is
 * involved, so seeking and stepping are exact.
 */
import { Pins } from "./pins";
import type { Json } from "../../../api/types";
import { UiState } from "../../uiState";

export interface Chunk {
  start: number;
  end: number;
  /** Each frame's start from the chunk's start, then the chunk's length. */
  offsets: number[];
}

/** What every manifest says of the video (version 1, JPEG frames, and version 2, packets the
 * browser decodes: packets.ts). */
export interface Manifest {
  frames: number;
  width: number;
  height: number;
  fps: number;
  variable_rate: boolean;
  duration: number;
  times: number[];
  /** "jpeg" (version 1) or "packets" (version 2). */
  format?: string;
}

/** A version 1 manifest: JPEG frames in frames.bin. */
export interface JpegManifest extends Manifest {
  chunk_frames: number;
  chunks: Chunk[];
}

/** Where a player gets its decoded frames (`FrameStore`: JPEGs; `PacketStore`: packets). */
export interface FrameSource {
  readonly manifest: Manifest;
  readonly keptFrames: number;
  /** The frame's bitmap if it is decoded already (nothing fetched or decoded here). */
  peek(index: number): ImageBitmap | null;
  /** The frame's bitmap, fetched and decoded if needed. */
  frame(index: number, soon?: boolean): Promise<ImageBitmap>;
  /** Decode the frame, `after` after it and `before` before it; fetch up to `chunks` ahead. */
  ahead(index: number, after: number, before?: number, chunks?: number, eager?: boolean): void;
  /** The bitmap is being shown: it stays open until a few later ones were shown. */
  pin(bitmap: ImageBitmap): void;
  has(index: number): boolean;
  close(): void;
}

export type FramesState = "pending" | "ready" | "failed";

export interface VideoSource {
  src: string;
  state: FramesState;
  manifest: string | null;
  data: string | null;
  /** packets.bin's link (the data of a version 2 manifest). */
  packets: string | null;
  error: string | null;
}

/** A video field's value as the server reads it out (see accord.media.video_links). */
export function videoSourceOf(value: Json | undefined): VideoSource | null {
  if (typeof value === "string" && value) {
    return { src: value, state: "failed", manifest: null, data: null, packets: null, error: "no frames were made for this video (a web address, or a reference without a video extension)" };
  }
  if (!value || typeof value !== "object" || Array.isArray(value) || typeof value.src !== "string") return null;
  const text = (key: string): string | null => {
    const v = value[key];
    return typeof v === "string" && v ? v : null;
  };
  const raw = text("frames_state");
  const state: FramesState = raw === "ready" || raw === "failed" ? raw : "pending";
  return { src: value.src, state, manifest: text("manifest"), data: text("frames_data"), packets: text("frames_packets"), error: text("frames_error") ?? text("error") };
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
  /** Whether the player is playing (lists beside it follow the frame at a low rate then). */
  playing?: UiState<boolean>;
}

export interface ShownFrame {
  frame: number;
  /** The store's own bitmap, kept open while it is among the last few shown (`FrameStore.pin`):
   * draw it, never close it. */
  bitmap: ImageBitmap;
}

/** A fresh link (a player not linked to anything uses one of its own). */
export function playerLink(): PlayerLink {
  return { frame: new UiState(0), manifest: new UiState<Manifest | null>(null), shown: new UiState<ShownFrame | null>(null), playing: new UiState(false) };
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

/** Decoded pixels (RGBA) kept at most: 48 frames at 1080p (8.3 MB each). */
const KEPT_PIXEL_BYTES = 400e6;
const MIN_KEPT_FRAMES = 12;
const MAX_KEPT_FRAMES = 160;
/** Compressed chunks kept (about 3.4 MB each at 1080p): steps and seeks near them decode
 * without a request. */
const KEPT_CHUNKS = 24;
/** Frames decoded ahead at once (the one asked for is decoded at once, besides): more only
 * share the cores (and delay the frame a seek asks for next). */
const AHEAD_DECODES = 2;

/**
 * The decoded frames of one video. Bitmaps are kept per frame (least recently used out,
 * closed, within a memory budget); the chunks' JPEG bytes per chunk. A frame whose chunk is
 * not here is fetched alone first (its own byte range, from the manifest's offsets), decoded
 * and shown, and its chunk fetched after it for the frames around; `ahead` decodes the
 * frames after (and a few before) the one shown, in parallel, so that a step or the next
 * frame of playback is usually decoded already (`peek`).
 */
export class FrameStore implements FrameSource {
  private bitmaps = new Map<number, Promise<ImageBitmap>>();
  private ready = new Map<number, ImageBitmap>();
  private chunks = new Map<number, Promise<Blob>>();
  /** Chunks being fetched, and how to stop that. */
  private loading = new Map<number, AbortController>();
  private whole: Promise<Blob> | null = null;
  private pins = new Pins();
  private closed = false;
  /** Chunks whose bytes are here; chunks with one frame being fetched alone. */
  private settledChunks = new Set<number>();
  private alone = new Set<number>();
  /** The last `ahead` asked for: done again when a chunk arrives. */
  private focus: { index: number; after: number; before: number; chunks: number; eager: boolean } | null = null;
  /** Frames to decode ahead, nearest the focus first, and how many such decodes are running. */
  private queue: Array<{ index: number; start: () => void; cancel: () => void }> = [];
  private decoding = 0;
  readonly keptFrames: number;

  constructor(
    readonly manifest: JpegManifest,
    private readonly url: string,
  ) {
    const frameBytes = Math.max(1, manifest.width * manifest.height * 4);
    this.keptFrames = Math.max(MIN_KEPT_FRAMES, Math.min(MAX_KEPT_FRAMES, Math.floor(KEPT_PIXEL_BYTES / frameBytes)));
  }

  chunkOf(frame: number): number {
    return Math.floor(frame / this.manifest.chunk_frames);
  }

  /** The frame's bitmap if it is decoded already (nothing fetched or decoded here). */
  peek(index: number): ImageBitmap | null {
    const bitmap = this.ready.get(index);
    if (bitmap) this.touch(index);
    return bitmap ?? null;
  }

  /** The frame's bitmap (its bytes fetched and decoded if needed): at once, or (`soon`
   * false: decoding ahead) after the frames ahead queued before it. */
  frame(index: number, soon = true): Promise<ImageBitmap> {
    const known = this.bitmaps.get(index);
    if (known) {
      this.touch(index);
      if (soon) this.startQueued(index);
      return known;
    }
    if (this.closed) return Promise.reject(new Error("the player was closed"));
    if (index < 0 || index >= this.manifest.frames) return Promise.reject(new Error(`no frame ${index} (the video has ${this.manifest.frames})`));
    const made = soon
      ? this.decode(index)
      : new Promise<ImageBitmap>((resolve, reject) => {
          this.queue.push({
            index,
            start: () => {
              this.decoding += 1;
              this.decode(index)
                .then(resolve, reject)
                .finally(() => {
                  this.decoding -= 1;
                  this.pump();
                });
            },
            cancel: () => reject(new Error(`frame ${index} is no longer needed`)),
          });
        });
    this.bitmaps.set(index, made);
    made.then(
      (bitmap) => {
        if (this.bitmaps.get(index) === made) this.ready.set(index, bitmap);
        else this.drop(bitmap); // evicted (or the store closed) while it was decoding
      },
      () => this.bitmaps.get(index) === made && this.bitmaps.delete(index),
    );
    this.evict();
    this.pump();
    return made;
  }

  private decode(index: number): Promise<ImageBitmap> {
    const c = this.chunkOf(index);
    const alone = !this.whole && !this.chunks.has(c);
    const made = this.jpeg(index).then((blob) => createImageBitmap(blob));
    if (alone) {
      // Fetched alone: its chunk (the frames around it, for the steps that follow) once it is
      // decoded, so that the chunk's 3 MB do not slow its decoding down; not when the player
      // has moved elsewhere meanwhile.
      const next = () => void (!this.closed && (!this.focus || this.chunkOf(this.focus.index) === c) && this.chunk(c).catch(() => undefined));
      made.then(next, next);
    }
    return made;
  }

  private pump(): void {
    while (this.decoding < AHEAD_DECODES && this.queue.length) (this.queue.shift() as { start: () => void }).start();
  }

  /** A frame queued to decode ahead is wanted now: it starts at once. */
  private startQueued(index: number): void {
    const i = this.queue.findIndex((q) => q.index === index);
    if (i >= 0) this.queue.splice(i, 1)[0]?.start();
  }

  /** Whether the frame is decoded or being decoded. */
  has(index: number): boolean {
    return this.bitmaps.has(index);
  }

  /**
   * Decode the frame at `index`, `after` frames after it and `before` before it (nearest
   * first, in parallel, those not decoded yet), within the memory budget; fetch the chunks
   * from the frame's to `chunks` after it, one after the other. Frames whose chunk is not
   * here yet are decoded when it arrives (never fetched one by one). Chunks still coming that
   * are no longer near the frame (a seek elsewhere) are no longer fetched: the request for
   * the frame shown does not wait behind them. `eager` (playing: every frame after it is
   * needed): the frame's chunk at once, even while the frame itself is fetched alone.
   */
  ahead(index: number, after: number, before = 0, chunks = 1, eager = false): void {
    this.focus = { index, after, before, chunks, eager };
    const last = this.manifest.frames - 1;
    const first = this.chunkOf(index);
    for (const [c, stop] of this.loading) {
      if (c < first - 1 || c > first + chunks) {
        stop.abort();
        this.loading.delete(c);
        this.chunks.delete(c);
      }
    }
    // The frame's own bytes first (fetched alone, or its chunk), then the next chunk: two
    // requests at once share the server and the line, and the one that matters now waits.
    for (let c = first; c <= first + chunks && c < this.manifest.chunks.length; c++) {
      if (this.alone.has(c) && !eager) break;
      if (this.settledChunks.has(c) || this.whole) continue;
      void this.chunk(c).catch(() => undefined);
      break;
    }
    const room = Math.max(1, Math.floor(this.keptFrames / 2));
    const want = [index];
    for (let d = 1; d <= after && want.length < room; d++) if (index + d <= last) want.push(index + d);
    for (let d = 1; d <= before && want.length < room; d++) if (index - d >= 0) want.push(index - d);
    // Frames queued for an earlier focus and not wanted now are not decoded.
    const wanted = new Set(want);
    const dropped = this.queue.filter((q) => !wanted.has(q.index));
    if (dropped.length) {
      this.queue = this.queue.filter((q) => wanted.has(q.index));
      for (const q of dropped) {
        this.bitmaps.delete(q.index);
        q.cancel();
      }
    }
    for (const f of want) {
      if (this.bitmaps.has(f)) this.touch(f);
      else if (this.whole || this.settledChunks.has(this.chunkOf(f))) void this.frame(f, f === index).catch(() => undefined);
    }
  }

  /** `bitmap` is being shown: it stays open until PINNED later ones were shown. */
  pin(bitmap: ImageBitmap): void {
    this.pins.pin(bitmap);
  }

  close(): void {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.cancel();
    for (const made of this.bitmaps.values()) void made.then((b) => this.drop(b)).catch(() => undefined);
    this.bitmaps.clear();
    this.ready.clear();
    for (const stop of this.loading.values()) stop.abort();
    this.loading.clear();
    this.chunks.clear();
    this.settledChunks.clear();
  }

  /** The frame's JPEG: cut from its chunk when that is here (or coming), else fetched alone
   * (and its chunk fetched after it). */
  private async jpeg(index: number): Promise<Blob> {
    const c = this.chunkOf(index);
    const chunk = this.manifest.chunks[c];
    if (!chunk) throw new Error(`no chunk for frame ${index}`);
    const i = index - c * this.manifest.chunk_frames;
    const from = chunk.offsets[i] as number;
    const to = chunk.offsets[i + 1] as number;
    if (this.chunks.has(c) || this.whole) return (await this.chunk(c)).slice(from, to, "image/jpeg"); // no copy
    this.alone.add(c);
    try {
      return await this.range(chunk.start + from, chunk.start + to); // as it came: a slice is a round trip to the browser process
    } finally {
      this.alone.delete(c);
    }
  }

  private chunk(index: number): Promise<Blob> {
    const known = this.chunks.get(index);
    if (known) {
      this.chunks.delete(index); // most recently used last
      this.chunks.set(index, known);
      return known;
    }
    const chunk = this.manifest.chunks[index];
    if (!chunk) return Promise.reject(new Error(`no chunk ${index}`));
    const stop = new AbortController();
    const loading = this.range(chunk.start, chunk.end, stop.signal);
    this.chunks.set(index, loading);
    this.loading.set(index, stop);
    const done = () => this.loading.get(index) === stop && this.loading.delete(index);
    loading.then(
      () => {
        done();
        if (this.chunks.get(index) !== loading) return;
        this.settledChunks.add(index);
        const f = this.focus;
        if (f && !this.closed) this.ahead(f.index, f.after, f.before, f.chunks, f.eager); // and the next chunk
      },
      () => {
        done();
        if (this.chunks.get(index) === loading) this.chunks.delete(index);
      },
    );
    while (this.chunks.size > KEPT_CHUNKS) {
      const oldest = this.chunks.keys().next().value as number;
      this.chunks.delete(oldest);
      this.settledChunks.delete(oldest);
      this.loading.get(oldest)?.abort();
      this.loading.delete(oldest);
    }
    return loading;
  }

  /** Bytes [start, end) of frames.bin. */
  private async range(start: number, end: number, signal?: AbortSignal): Promise<Blob> {
    if (this.whole) return (await this.whole).slice(start, end);
    const answer = await fetch(this.url, { headers: { Range: `bytes=${start}-${end - 1}` }, credentials: "same-origin", signal });
    if (answer.status === 206) return answer.blob();
    if (answer.status === 200) {
      // The server sent the whole file (no range support): keep it, cut everything from it.
      this.whole ??= answer.blob();
      return (await this.whole).slice(start, end);
    }
    throw new Error(`the frames could not be read (HTTP ${answer.status}); reload the page`);
  }

  private touch(index: number): void {
    const made = this.bitmaps.get(index);
    if (!made) return;
    this.bitmaps.delete(index);
    this.bitmaps.set(index, made);
  }

  private evict(): void {
    while (this.bitmaps.size > this.keptFrames) {
      const oldest = this.bitmaps.keys().next().value as number;
      const gone = this.bitmaps.get(oldest) as Promise<ImageBitmap>;
      this.bitmaps.delete(oldest);
      this.ready.delete(oldest);
      void gone.then((b) => this.drop(b)).catch(() => undefined);
    }
  }

  private drop(bitmap: ImageBitmap): void {
    this.pins.drop(bitmap);
  }
}
