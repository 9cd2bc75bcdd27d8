/**
 * A video's frames decoded in the browser (docs/video.md, "Where the frames are"): the frames
 * job stream-copied the video's compressed packets into `packets.bin`, in chunks that each
 * start at a keyframe, and wrote a version 2 manifest (`"format": "packets"`). This store
 * fetches a chunk by range, decodes it with WebCodecs' `VideoDecoder` and turns the frames
 * the player needs into ImageBitmaps (each VideoFrame closed at once), behind the interface
 * of the JPEG store (`FrameSource`), so that the player does not know which it has.
 *
 * Frame numbers: each packet is given to the decoder with its frame number (its rank in
 * presentation order, from the manifest) as its timestamp; the decoder hands it back on the
 * picture it makes. The server checked that FFmpeg makes exactly one picture per packet in
 * that order, so frame N here is frame N as FFmpeg decodes it.
 *
 * Decoding runs forward from a chunk's keyframe, fed as the chunk's bytes arrive and only as
 * far as the frames wanted (the one shown, those ahead of it and a few behind: `ahead`) need,
 * plus a few packets for the decoder's reordering, so that it can go on to the next frames
 * without starting again. A frame already passed (a step back beyond the frames kept, a seek
 * elsewhere) starts the decoder again at its chunk's keyframe; a seek elsewhere drops what
 * was being decoded. The frame asked for becomes a bitmap at once, the others one at a time
 * after it (`convertQueued`): in software a conversion takes the main thread 8–20 ms at 1080p.
 */
import { Pins } from "./pins";
import type { FrameSource, Manifest } from "./frames";

export interface PacketChunk {
  start: number;
  end: number;
  /** The chunk's first frame (its keyframe's) and how many frames it holds. */
  first: number;
  count: number;
  /** Each packet's start from the chunk's start (decode order), then the chunk's length. */
  offsets: number[];
  /** Each packet's frame number, in decode order. */
  frames: number[];
  /** The places (decode order) of the packets whose picture no other picture refers to (H.264
   * non-reference pictures): a seek skips those before the frames it wants. Absent in
   * manifests made before it was written. */
  disposable?: number[];
}

export interface PacketManifest extends Manifest {
  format: "packets";
  /** WebCodecs codec string (avc1.64001f, vp8, vp09.00.40.08, av01.0.08M.08). */
  codec: string;
  /** The decoder's configuration record (H.264's avcC), base64; null when none. */
  description: string | null;
  chunks: PacketChunk[];
}

export function isPacketManifest(manifest: Manifest): manifest is PacketManifest {
  return (manifest as { format?: string }).format === "packets";
}

/** The chunk holding frame `frame` (chunks hold consecutive frames, in order). */
export function chunkOfFrame(chunks: PacketChunk[], frame: number): number {
  let low = 0;
  let high = chunks.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((chunks[mid] as PacketChunk).first <= frame) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** How many of the chunk's packets (decode order) the decoder needs to make frame `upTo`
 * and every frame of the chunk before it: up to the last packet of a frame at most `upTo`. */
export function packetsFor(chunk: PacketChunk, upTo: number): number {
  let need = 0;
  chunk.frames.forEach((f, i) => {
    if (f <= upTo) need = i + 1;
  });
  return need;
}

/** Packets fed past those a frame needs, for the decoder's reordering (B-frames). */
const REORDER_SLACK = 4;
/** A wanted frame not out this long after the decoder went idle: flush (end of the stream). */
const STALL_MS = 60;
const KEPT_PIXEL_BYTES = 400e6;
const MIN_KEPT_FRAMES = 12;
const MAX_KEPT_FRAMES = 160;
const KEPT_CHUNKS = 12;
/** Frames turned into bitmaps at once, besides the one shown. */
const CONVERSIONS = 1;
const CONVERSIONS_PLAYING = 2;

/** Why this browser cannot decode the manifest's packets (a sentence for a person), or null. */
export async function packetsUnsupported(manifest: PacketManifest): Promise<string | null> {
  const fix = "or a manager asks the admin to set ACCORD_VIDEO_FRAMES=jpeg and run the frames job again (JPEG frames any browser shows)";
  if (typeof VideoDecoder === "undefined") {
    if (typeof window !== "undefined" && !window.isSecureContext) {
      return `this page is served over plain HTTP from another address than localhost, where browsers do not offer WebCodecs, which decodes this video's ${manifest.codec} frames: open Accord over HTTPS, ${fix}`;
    }
    return `this browser has no WebCodecs video decoder for this video's ${manifest.codec} frames: use a recent Chrome, Edge, Safari or Firefox, ${fix}`;
  }
  try {
    const { supported } = await VideoDecoder.isConfigSupported(decoderConfig(manifest));
    if (supported) return null;
  } catch {
    // an invalid configuration: said below
  }
  return `this browser cannot decode this video's ${manifest.codec} frames: use a recent Chrome, Edge, Safari or Firefox, ${fix}`;
}

/** The decoder's configuration. Not `optimizeForLatency`: with it Chromium's software decoder
 * runs H.264 on slice threads only (one, for single-slice pictures); without it, on frame
 * threads, so a seek's pictures from the keyframe decode on every core (bench/README.md). */
export function decoderConfig(manifest: PacketManifest): VideoDecoderConfig {
  const config: VideoDecoderConfig = { codec: manifest.codec, codedWidth: manifest.width, codedHeight: manifest.height, optimizeForLatency: false };
  if (manifest.description) config.description = Uint8Array.from(atob(manifest.description), (c) => c.charCodeAt(0));
  return config;
}

/** A chunk's bytes as they arrive: `received` of `buf` are here. */
interface Arriving {
  buf: Uint8Array;
  received: number;
  done: boolean;
  stop: AbortController;
}

interface Waiter {
  resolve: (bitmap: ImageBitmap) => void;
  reject: (error: Error) => void;
}

export class PacketStore implements FrameSource {
  readonly keptFrames: number;
  private readonly config: VideoDecoderConfig;
  private decoder: VideoDecoder | null = null;
  /** The chunk being decoded, how many of its packets were fed, whether it was flushed, the
   * frames of the packets skipped (disposable, before those wanted). */
  private at: { chunk: number; fed: number; flushed: boolean; skipped: Set<number> } | null = null;
  /** The last frame the decoder gave since it started at `at.chunk`'s keyframe. */
  private lastOut = -1;
  private generation = 0;
  private ready = new Map<number, ImageBitmap>();
  private converting = new Set<number>();
  /** Decoded frames waiting to become bitmaps (`convertQueued`), and conversions running. */
  private queued = new Map<number, VideoFrame>();
  private inFlight = 0;
  private waiters = new Map<number, Waiter[]>();
  /** Chunks' bytes, arriving (fed to the decoder as they come), least recently used first. */
  private chunks = new Map<number, Arriving>();
  private focus = { index: 0, lo: 0, hi: 0, chunks: 1, eager: false };
  private pins = new Pins();
  private stallTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(
    readonly manifest: PacketManifest,
    private readonly url: string,
  ) {
    const frameBytes = Math.max(1, manifest.width * manifest.height * 4);
    this.keptFrames = Math.max(MIN_KEPT_FRAMES, Math.min(MAX_KEPT_FRAMES, Math.floor(KEPT_PIXEL_BYTES / frameBytes)));
    this.config = decoderConfig(manifest);
  }

  peek(index: number): ImageBitmap | null {
    const bitmap = this.ready.get(index);
    if (bitmap) this.touch(index);
    return bitmap ?? null;
  }

  has(index: number): boolean {
    return this.ready.has(index) || this.converting.has(index) || this.queued.has(index) || this.waiters.has(index);
  }

  frame(index: number): Promise<ImageBitmap> {
    const known = this.ready.get(index);
    if (known) {
      this.touch(index);
      return Promise.resolve(known);
    }
    if (this.closed) return Promise.reject(new Error("the player was closed"));
    if (index < 0 || index >= this.manifest.frames) return Promise.reject(new Error(`no frame ${index} (the video has ${this.manifest.frames})`));
    const made = new Promise<ImageBitmap>((resolve, reject) => {
      const list = this.waiters.get(index) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(index, list);
    });
    if (index < this.focus.lo || index > this.focus.hi) this.focus = { ...this.focus, index, lo: index, hi: index };
    this.convertQueued(); // decoded already, waiting for its conversion: now
    this.pump();
    return made;
  }

  /** Keep the frame at `index`, `after` frames after it and `before` before it decoded (the
   * frame first, then those after, then those before); fetch the chunks from its own to
   * `chunks` after it. Frames waited for outside that range are no longer made. `eager`
   * (playing): two frames become bitmaps at once, not one. */
  ahead(index: number, after: number, before = 0, chunks = 1, eager = false): void {
    const last = this.manifest.frames - 1;
    const room = Math.max(1, Math.floor(this.keptFrames / 2));
    const hi = Math.min(last, index + Math.min(after, room));
    const lo = Math.max(0, index - Math.min(before, Math.max(0, room - (hi - index))));
    this.focus = { index, lo, hi, chunks, eager };
    this.convertQueued();
    for (const [f, list] of this.waiters) {
      if (f >= lo && f <= hi) continue;
      this.waiters.delete(f);
      for (const w of list) w.reject(new Error(`frame ${f} is no longer needed`));
    }
    const first = chunkOfFrame(this.manifest.chunks, index);
    for (const [c, a] of this.chunks) {
      if (!a.done && (c < first - 1 || c > first + chunks)) {
        a.stop.abort();
        this.chunks.delete(c);
      }
    }
    this.pump();
  }

  /** `bitmap` is being shown: it stays open until PINNED later ones were shown. */
  pin(bitmap: ImageBitmap): void {
    this.pins.pin(bitmap);
  }

  close(): void {
    this.closed = true;
    this.generation += 1;
    if (this.stallTimer) clearTimeout(this.stallTimer);
    if (this.decoder && this.decoder.state !== "closed") this.decoder.close();
    this.decoder = null;
    for (const frame of this.queued.values()) frame.close();
    this.queued.clear();
    for (const [f, list] of this.waiters) for (const w of list) w.reject(new Error(`frame ${f}: the player was closed`));
    this.waiters.clear();
    for (const b of this.ready.values()) this.drop(b);
    this.ready.clear();
    for (const a of this.chunks.values()) a.stop.abort();
    this.chunks.clear();
  }

  /** The frame the decoder should make next: the one shown, else the first missing after it,
   * else the last missing before it (nearest first); null when all are here. */
  private next(): number | null {
    const { index, lo, hi } = this.focus;
    const missing = (f: number) => !this.ready.has(f) && !this.converting.has(f) && !this.queued.has(f);
    if (missing(index)) return index;
    for (let f = index + 1; f <= hi; f++) if (missing(f)) return f;
    for (let f = index - 1; f >= lo; f--) if (missing(f)) return f;
    for (const f of this.waiters.keys()) if (missing(f)) return f;
    return null;
  }

  /** Feed the decoder what the frames wanted need (its chunk's bytes fetched first). */
  private pump(): void {
    if (this.closed) return;
    this.prefetch();
    const want = this.next();
    if (want === null) return;
    const chunks = this.manifest.chunks;
    const c = chunkOfFrame(chunks, want);
    const at = this.at;
    const going = this.decoder && this.decoder.state === "configured" && at;
    const resumable =
      going && ((at.chunk === c && this.lastOut < want && !at.skipped.has(want)) || (at.chunk === c - 1 && at.flushed && this.lastOut < want));
    if (!resumable && going && this.decoder) {
      this.decoder.reset(); // what it was decoding is no longer wanted: stop now
      this.at = null;
    }
    // Paused, the bytes up to the frame wanted come first (a seek's frame in the middle of a
    // chunk needs half of it), the rest after them; fed to the decoder as they arrive.
    const chunk = chunks[c] as PacketChunk;
    const bytes = this.chunk(c, this.focus.eager ? undefined : chunk.offsets[Math.min(chunk.frames.length, packetsFor(chunk, want) + REORDER_SLACK)]);
    if (!resumable) this.restart(c);
    else if (at.chunk !== c) this.at = { chunk: c, fed: 0, flushed: false, skipped: new Set() };
    // As far as the frames wanted in this chunk need, and a few packets more.
    const upTo = want >= this.focus.index ? Math.max(want, Math.min(this.focus.hi, chunk.first + chunk.count - 1)) : want;
    this.feed(c, chunk, bytes, Math.min(chunk.frames.length, packetsFor(chunk, upTo) + REORDER_SLACK));
  }

  private restart(c: number): void {
    this.generation += 1;
    if (!this.decoder || this.decoder.state === "closed") this.decoder = this.makeDecoder();
    else if (this.decoder.state === "configured") this.decoder.reset();
    this.decoder.configure(this.config);
    this.at = { chunk: c, fed: 0, flushed: false, skipped: new Set() };
    this.lastOut = -1;
  }

  private feed(c: number, chunk: PacketChunk, bytes: Arriving, upTo: number): void {
    const at = this.at;
    const decoder = this.decoder;
    if (!at || !decoder || at.chunk !== c) return;
    while (at.fed < upTo && (chunk.offsets[at.fed + 1] as number) <= bytes.received) {
      const i = at.fed;
      const frame = chunk.frames[i] as number;
      at.fed += 1;
      // A picture nothing refers to, before the frames wanted: a seek need not decode it.
      if (frame < this.focus.lo && !this.waiters.has(frame) && chunk.disposable?.includes(i)) {
        at.skipped.add(frame);
        continue;
      }
      const data = bytes.buf.subarray(chunk.offsets[i] as number, chunk.offsets[i + 1] as number);
      decoder.decode(new EncodedVideoChunk({ type: i === 0 ? "key" : "delta", timestamp: frame, data }));
    }
    if (at.fed >= chunk.frames.length && !at.flushed) this.flush();
    else this.watchStall();
  }

  /** All of the chunk fed: the decoder gives its last frames (and then wants a keyframe,
   * which the next chunk starts with). */
  private flush(): void {
    const at = this.at;
    const decoder = this.decoder;
    if (!at || !decoder) return;
    at.flushed = true;
    const generation = this.generation;
    decoder.flush().then(
      () => generation === this.generation && this.pump(),
      () => undefined, // reset meanwhile
    );
  }

  /** A frame waited for that the decoder keeps back (reordering deeper than the slack):
   * once it has been idle a moment, feed the rest of the chunk. */
  private watchStall(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    const generation = this.generation;
    this.stallTimer = setTimeout(() => {
      this.stallTimer = null;
      const at = this.at;
      if (this.closed || generation !== this.generation || !at || at.flushed || !this.decoder) return;
      if (this.next() === null) return; // nothing waited for
      if (this.decoder.decodeQueueSize > 0) return this.watchStall(); // still decoding
      const chunk = this.manifest.chunks[at.chunk] as PacketChunk;
      const bytes = this.chunks.get(at.chunk);
      if (bytes) this.feed(at.chunk, chunk, bytes, Math.min(chunk.frames.length, at.fed + REORDER_SLACK));
    }, STALL_MS);
  }

  private makeDecoder(): VideoDecoder {
    return new VideoDecoder({
      output: (frame) => this.output(frame),
      error: (e) => {
        const error = new Error(`the video's ${this.manifest.codec} frames could not be decoded (${e.message}); reload the page`);
        this.decoder = null;
        this.at = null;
        for (const list of this.waiters.values()) for (const w of list) w.reject(error);
        this.waiters.clear();
      },
    });
  }

  private output(frame: VideoFrame): void {
    const f = frame.timestamp;
    this.lastOut = Math.max(this.lastOut, f);
    const { lo, hi, index } = this.focus;
    if (this.closed || this.ready.has(f) || this.converting.has(f) || this.queued.has(f) || ((f < lo || f > hi) && !this.waiters.has(f))) {
      frame.close();
    } else if (f === index) {
      this.convert(frame); // at once
    } else {
      this.queued.set(f, frame);
      this.convertQueued();
    }
    this.pump();
  }

  /** Frames waiting to become bitmaps: those no longer wanted closed; once the frame shown is
   * a bitmap (a seek's frame first), the nearest, `CONVERSIONS` at a time (a conversion is
   * 15–20 ms of a core at 1080p in software: a burst would delay the next seek's). */
  private convertQueued(): void {
    const { index, lo, hi } = this.focus;
    for (const [f, frame] of this.queued) {
      if ((f >= lo && f <= hi) || this.waiters.has(f)) continue;
      this.queued.delete(f);
      frame.close();
    }
    for (const [f, frame] of this.queued) {
      if (f !== index && !this.waiters.has(f)) continue;
      this.queued.delete(f); // asked for (the frame shown, a step onto a frame waiting): now
      this.convert(frame);
    }
    const most = this.focus.eager ? CONVERSIONS_PLAYING : CONVERSIONS;
    while (this.inFlight < most && this.queued.size && (this.ready.has(index) || !this.waiters.size)) {
      let pick = -1;
      for (const f of this.queued.keys()) {
        const better = pick < 0 || (f >= index ? pick < index || f < pick : pick < index && f > pick);
        if (better) pick = f;
      }
      const frame = this.queued.get(pick) as VideoFrame;
      this.queued.delete(pick);
      this.convert(frame);
    }
  }

  private convert(frame: VideoFrame): void {
    const f = frame.timestamp;
    this.converting.add(f);
    this.inFlight += 1;
    createImageBitmap(frame)
      .then(
        (bitmap) => {
          this.converting.delete(f);
          if (this.closed) return bitmap.close();
          this.ready.set(f, bitmap);
          const list = this.waiters.get(f);
          this.waiters.delete(f);
          for (const w of list ?? []) w.resolve(bitmap);
          this.evict();
        },
        (e: unknown) => {
          this.converting.delete(f);
          const list = this.waiters.get(f);
          this.waiters.delete(f);
          for (const w of list ?? []) w.reject(e instanceof Error ? e : new Error(String(e)));
        },
      )
      .finally(() => {
        frame.close();
        this.inFlight -= 1;
        if (this.closed) return;
        const next = () => {
          if (this.closed) return;
          this.convertQueued();
          this.pump();
        };
        // The frame shown: drawn before the next conversion takes the main thread.
        if (f === this.focus.index && !this.focus.eager && typeof requestAnimationFrame === "function") requestAnimationFrame(() => setTimeout(next, 0));
        else next();
      });
  }

  /** The chunks after the one shown, one request at a time; paused, once the frame shown is
   * a bitmap (the next chunk's 1.7 MB would slow a seek's own down). */
  private prefetch(): void {
    const { index, chunks, eager } = this.focus;
    const first = chunkOfFrame(this.manifest.chunks, index);
    for (let c = first + 1; c <= first + chunks && c < this.manifest.chunks.length; c++) {
      const known = this.chunks.get(c);
      if (known?.done) continue;
      if (!known && (eager || this.ready.has(index))) this.chunk(c);
      break;
    }
  }

  /** The chunk's bytes, arriving (its request started if needed: bytes [0, `first`) first,
   * then the rest, when `first` is given). */
  private chunk(index: number, first?: number): Arriving {
    const known = this.chunks.get(index);
    if (known) {
      this.chunks.delete(index); // most recently used last
      this.chunks.set(index, known);
      return known;
    }
    const chunk = this.manifest.chunks[index] as PacketChunk;
    const arriving: Arriving = { buf: new Uint8Array(chunk.end - chunk.start), received: 0, done: false, stop: new AbortController() };
    this.chunks.set(index, arriving);
    void this.load(index, chunk, arriving, first);
    while (this.chunks.size > KEPT_CHUNKS) {
      const [oldest, gone] = this.chunks.entries().next().value as [number, Arriving];
      gone.stop.abort();
      this.chunks.delete(oldest);
    }
    return arriving;
  }

  /** The chunk's bytes of packets.bin into `a` (`first` of them, then the rest), the decoder
   * fed as they arrive. */
  private async load(index: number, chunk: PacketChunk, a: Arriving, first?: number): Promise<void> {
    const put = (bytes: Uint8Array) => {
      const room = Math.min(bytes.length, a.buf.length - a.received);
      a.buf.set(bytes.subarray(0, room), a.received);
      a.received += room;
    };
    try {
      const length = chunk.end - chunk.start;
      const cuts = first !== undefined && first < 0.8 * length ? [first, length] : [length];
      for (const cut of cuts) {
        if (a.received > 0) await this.shown(); // the rest once the frame asked for is drawn
        if (this.chunks.get(index) !== a || a.received >= length) break;
        if (this.whole) {
          put((await this.whole).subarray(chunk.start + a.received, chunk.end));
          break;
        }
        const answer = await fetch(this.url, { headers: { Range: `bytes=${chunk.start + a.received}-${chunk.start + cut - 1}` }, credentials: "same-origin", signal: a.stop.signal });
        if (answer.status === 206 && answer.body) {
          const reader = answer.body.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            put(value);
            if (this.chunks.get(index) === a) this.pump();
          }
        } else if (answer.status === 206) put(new Uint8Array(await answer.arrayBuffer()));
        else if (answer.status === 200) {
          // The server sent the whole file (no range support): keep it, cut everything from it.
          this.whole ??= answer.arrayBuffer().then((b) => new Uint8Array(b));
          put((await this.whole).subarray(chunk.start + a.received, chunk.end));
        } else throw new Error(`the video's packets could not be read (HTTP ${answer.status}); reload the page`);
        if (this.chunks.get(index) === a) this.pump();
      }
      if (this.chunks.get(index) !== a) return;
      if (a.received < a.buf.length) throw new Error("the video's packets came short; reload the page");
      a.done = true;
      if (this.chunks.get(index) === a) this.pump();
    } catch (e: unknown) {
      if (this.chunks.get(index) === a) this.chunks.delete(index);
      if (e instanceof DOMException && e.name === "AbortError") return;
      for (const [f, list] of this.waiters) {
        if (chunkOfFrame(this.manifest.chunks, f) !== index) continue;
        this.waiters.delete(f);
        for (const w of list) w.reject(e instanceof Error ? e : new Error(String(e)));
      }
    }
  }

  private whole: Promise<Uint8Array> | null = null;

  /** Resolves once the frame asked for is a bitmap, or playing, or after a second at most
   * (two requests at once share the server and the cores: the one that matters now first). */
  private shown(): Promise<void> {
    const until = performance.now() + 1000;
    return new Promise((resolve) => {
      const check = () => {
        const { index, eager } = this.focus;
        if (this.closed || eager || this.ready.has(index) || performance.now() > until) resolve();
        else setTimeout(check, 8);
      };
      check();
    });
  }

  private touch(index: number): void {
    const bitmap = this.ready.get(index);
    if (!bitmap) return;
    this.ready.delete(index);
    this.ready.set(index, bitmap);
  }

  /** Least recently used first out, never a frame of the range wanted now. */
  private evict(): void {
    if (this.ready.size <= this.keptFrames) return;
    const { lo, hi } = this.focus;
    for (const [f, bitmap] of this.ready) {
      if (this.ready.size <= this.keptFrames) break;
      if (f >= lo && f <= hi) continue;
      this.ready.delete(f);
      this.drop(bitmap);
    }
  }

  private drop(bitmap: ImageBitmap): void {
    this.pins.drop(bitmap);
  }
}
