import { afterEach, describe, expect, it, vi } from "vitest";
import { chunkOfFrame, decoderConfig, packetsFor, PacketStore, packetsUnsupported, type PacketChunk, type PacketManifest } from "./packets";

// Two chunks of 6 frames, B-frames: decode order 0 3 1 2 5 4 | 6 9 7 8 11 10; each packet 10 bytes.
const chunk = (c: number): PacketChunk => ({
  start: c * 60,
  end: c * 60 + 60,
  first: c * 6,
  count: 6,
  offsets: [0, 10, 20, 30, 40, 50, 60],
  frames: [0, 3, 1, 2, 5, 4].map((f) => f + c * 6),
});
const manifest: PacketManifest = {
  format: "packets",
  frames: 12,
  width: 320,
  height: 240,
  fps: 25,
  variable_rate: false,
  duration: 0.48,
  times: Array.from({ length: 12 }, (_, i) => i * 0.04),
  codec: "avc1.64000d",
  description: btoa("\x01\x64\x00\x0d"),
  chunks: [chunk(0), chunk(1)],
};

describe("chunkOfFrame and packetsFor", () => {
  it("finds a frame's chunk and the packets (decode order) it needs", () => {
    expect([0, 5, 6, 11].map((f) => chunkOfFrame(manifest.chunks, f))).toEqual([0, 0, 1, 1]);
    const first = manifest.chunks[0] as PacketChunk;
    expect(packetsFor(first, 0)).toBe(1);
    expect(packetsFor(first, 1)).toBe(3); // frame 1 comes after frame 3 in decode order
    expect(packetsFor(first, 3)).toBe(4);
    expect(packetsFor(first, 5)).toBe(6);
  });
  it("configures the decoder with the codec and the avcC record", () => {
    const config = decoderConfig(manifest);
    expect(config.codec).toBe("avc1.64000d");
    expect(Array.from(config.description as Uint8Array)).toEqual([1, 0x64, 0, 0x0d]);
  });
});

describe("packetsUnsupported", () => {
  afterEach(() => vi.unstubAllGlobals());
  it("says which codec and what to do without WebCodecs", async () => {
    vi.stubGlobal("VideoDecoder", undefined);
    const why = await packetsUnsupported(manifest);
    expect(why).toContain("avc1.64000d");
    expect(why).toContain("ACCORD_VIDEO_FRAMES=jpeg");
  });
  it("says so when the browser refuses the codec", async () => {
    vi.stubGlobal("VideoDecoder", { isConfigSupported: async () => ({ supported: false }) });
    expect(await packetsUnsupported(manifest)).toContain("cannot decode this video's avc1.64000d frames");
    vi.stubGlobal("VideoDecoder", { isConfigSupported: async () => ({ supported: true }) });
    expect(await packetsUnsupported(manifest)).toBeNull();
  });
});

describe("PacketStore", () => {
  // A decoder stand-in: records the timestamps fed, and gives each chunk's frames in
  // presentation order once the packets a frame needs (and one more: reordering) are in, or
  // on flush; every VideoFrame it made must be closed.
  function fake() {
    const fed: number[] = [];
    const frames: { timestamp: number; closed: boolean; close: () => void }[] = [];
    let resets = 0;
    class Decoder {
      state = "unconfigured";
      decodeQueueSize = 0;
      private pending: number[] = [];
      private needKey = true;
      constructor(private readonly init: { output: (f: unknown) => void }) {}
      configure() {
        this.state = "configured";
        this.needKey = true;
      }
      reset() {
        resets += 1;
        this.pending = [];
        this.state = "unconfigured";
      }
      close() {
        this.state = "closed";
      }
      decode(c: { timestamp: number; type: string }) {
        if (this.needKey && c.type !== "key") throw new Error("a key frame is required");
        this.needKey = false;
        fed.push(c.timestamp);
        this.pending.push(c.timestamp);
        this.emit(false);
      }
      async flush() {
        this.emit(true);
        this.needKey = true;
      }
      private emit(all: boolean) {
        this.pending.sort((a, b) => a - b);
        while (this.pending.length && (all || this.pending.length > 2)) {
          const t = this.pending.shift() as number;
          const f = { timestamp: t, closed: false, close: () => void (f.closed = true) };
          frames.push(f);
          queueMicrotask(() => this.init.output(f));
        }
      }
    }
    vi.stubGlobal("VideoDecoder", Decoder);
    vi.stubGlobal("EncodedVideoChunk", class {
      timestamp: number;
      type: string;
      constructor(init: { timestamp: number; type: string }) {
        this.timestamp = init.timestamp;
        this.type = init.type;
      }
    });
    vi.stubGlobal("fetch", async () => ({ status: 206, arrayBuffer: async () => new ArrayBuffer(60) }));
    vi.stubGlobal("createImageBitmap", async (f: { timestamp: number }) => ({ frame: f.timestamp, close: () => undefined }));
    return { fed, frames, resets: () => resets };
  }
  const settle = () => new Promise((r) => setTimeout(r, 0));
  afterEach(() => vi.unstubAllGlobals());

  it("decodes from the chunk's keyframe, frame by frame, closing every VideoFrame", async () => {
    const { fed, frames } = fake();
    const store = new PacketStore(manifest, "/packets.bin");
    const bitmap = (await store.frame(2)) as unknown as { frame: number };
    expect(bitmap.frame).toBe(2);
    store.ahead(2, 1, 1);
    await settle();
    expect(fed.slice(0, 3)).toEqual([0, 3, 1]); // the chunk's keyframe first, in decode order
    await settle();
    expect(frames.every((f) => f.closed)).toBe(true);
    expect(store.peek(1)).not.toBeNull();
    expect(store.peek(3)).not.toBeNull();
    store.close();
  });

  it("goes on into the next chunk without starting again, and starts again for a frame passed", async () => {
    const { fed, resets } = fake();
    const store = new PacketStore(manifest, "/packets.bin");
    await store.frame(4);
    store.ahead(4, 0);
    const seven = (await store.frame(7)) as unknown as { frame: number };
    store.ahead(7, 0);
    expect(seven.frame).toBe(7);
    expect(resets()).toBe(0);
    expect(fed).toContain(6);
    const zero = (await store.frame(0)) as unknown as { frame: number }; // passed: from the keyframe again
    expect(zero.frame).toBe(0);
    expect(resets()).toBe(1);
    store.close();
  });

  it("leaves out the disposable pictures before a seek's frame, and decodes them when wanted", async () => {
    const { fed, resets } = fake();
    // Frames 1 and 2 (decode places 2 and 3) are pictures no other refers to.
    const disposable: PacketManifest = { ...manifest, chunks: [{ ...chunk(0), disposable: [2, 3] }, chunk(1)] };
    const store = new PacketStore(disposable, "/packets.bin");
    const four = (await store.frame(4)) as unknown as { frame: number };
    store.ahead(4, 0);
    expect(four.frame).toBe(4);
    expect(fed).toContain(0);
    expect(fed).toContain(3);
    expect(fed).not.toContain(1);
    expect(fed).not.toContain(2);
    // A step back to a picture left out: from the keyframe again, this time with it.
    const two = (await store.frame(2)) as unknown as { frame: number };
    expect(two.frame).toBe(2);
    expect(resets()).toBe(1);
    expect(fed.filter((f) => f === 2)).toHaveLength(1);
    store.close();
  });
});
