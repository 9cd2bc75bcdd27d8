import { afterEach, describe, expect, it, vi } from "vitest";
import { FrameStore, frameAt, videoSourceOf } from "./frames";

describe("frameAt", () => {
  const times = [0, 0.04, 0.08, 0.2, 0.24];
  it("is the last frame at or before the time, variable rate too", () => {
    expect(frameAt(times, 0)).toBe(0);
    expect(frameAt(times, 0.039)).toBe(0);
    expect(frameAt(times, 0.04)).toBe(1);
    expect(frameAt(times, 0.19)).toBe(2);
    expect(frameAt(times, 0.2)).toBe(3);
    expect(frameAt(times, 99)).toBe(4);
    expect(frameAt(times, -1)).toBe(0);
  });
});

describe("videoSourceOf", () => {
  it("reads the frames' state and links", () => {
    expect(videoSourceOf({ src: "/a", frames_state: "ready", manifest: "/m", frames_data: "/d", frames_packets: "/p" })).toEqual({ src: "/a", state: "ready", manifest: "/m", data: "/d", packets: "/p", error: null });
    expect(videoSourceOf({ src: "/a", frames_state: "failed", frames_error: "bad" })?.error).toBe("bad");
    expect(videoSourceOf({ src: "/a" })?.state).toBe("pending");
    expect(videoSourceOf("https://x/a.mp4")?.state).toBe("failed");
    expect(videoSourceOf(3)).toBeNull();
  });
});

describe("FrameStore", () => {
  // 4 chunks of 4 frames, each frame 10 bytes (each byte its frame's number); fetch and createImageBitmap stand-ins record
  // the ranges asked for and the bitmaps made and closed.
  const manifest = {
    frames: 16, width: 8000, height: 8000, fps: 25, variable_rate: false, duration: 0.64, chunk_frames: 4,
    times: Array.from({ length: 16 }, (_, i) => i * 0.04),
    chunks: [0, 1, 2, 3].map((c) => ({ start: c * 40, end: c * 40 + 40, offsets: [0, 10, 20, 30, 40] })),
  };
  function fake() {
    const ranges: string[] = [];
    const bitmaps: { bytes: number; closed: boolean; close: () => void }[] = [];
    vi.stubGlobal("fetch", async (_url: string, init: { headers: { Range: string } }) => {
      ranges.push(init.headers.Range);
      const [a, b] = init.headers.Range.slice(6).split("-").map(Number) as [number, number];
      return { status: 206, blob: async () => new Blob([Uint8Array.from({ length: b - a + 1 }, (_, i) => Math.floor((a + i) / 10))]) };
    });
    vi.stubGlobal("createImageBitmap", async (blob: Blob) => {
      const first = new Uint8Array(await blob.arrayBuffer())[0] as number;
      const b = { bytes: first, closed: false, width: 1000, height: 1000, close: () => void (b.closed = true) };
      bitmaps.push(b);
      return b;
    });
    return { ranges, bitmaps };
  }
  const settle = () => new Promise((r) => setTimeout(r, 0));
  afterEach(() => vi.unstubAllGlobals());

  it("fetches a frame alone when its chunk is not here, then the chunk", async () => {
    const { ranges } = fake();
    const store = new FrameStore(manifest, "/frames.bin");
    const bitmap = (await store.frame(9)) as unknown as { bytes: number };
    expect(bitmap.bytes).toBe(9); // frame 9's bytes start at 90
    await settle();
    expect(ranges).toEqual(["bytes=90-99", "bytes=80-119"]);
    await store.frame(10); // cut from the chunk: no request
    expect(ranges).toHaveLength(2);
  });

  it("decodes ahead from chunks only, and has the frames ready to peek", async () => {
    const { ranges } = fake();
    const store = new FrameStore(manifest, "/frames.bin");
    store.ahead(1, 3, 1, 1);
    for (let i = 0; i < 5; i++) await settle();
    expect(ranges).toEqual(["bytes=0-39", "bytes=40-79"]); // two chunks, no frame alone
    expect([0, 1, 2, 3, 4].map((f) => store.peek(f) !== null)).toEqual([true, true, true, true, true]);
  });

  it("closes evicted bitmaps, except those being shown", async () => {
    const { bitmaps } = fake();
    const store = new FrameStore(manifest, "/frames.bin"); // 256 MB frames: the fewest kept
    const shown = await store.frame(0);
    store.pin(shown);
    for (let f = 1; f < 16; f++) await store.frame(f);
    await settle();
    expect(store.keptFrames).toBe(12);
    const closed = bitmaps.filter((b) => b.closed).map((b) => b.bytes);
    expect(closed).toEqual([1, 2, 3]); // the oldest, but frame 0 is on screen
    for (let i = 0; i < 4; i++) store.pin((await store.frame(12 + i)) as ImageBitmap);
    expect((shown as unknown as { closed: boolean }).closed).toBe(true); // no longer shown
  });

  it("stops fetching a chunk no longer near the frame asked for (a seek elsewhere)", async () => {
    const ranges: string[] = [];
    const aborted: string[] = [];
    vi.stubGlobal("fetch", (_url: string, init: { headers: { Range: string }; signal?: AbortSignal }) => {
      const range = init.headers.Range;
      ranges.push(range);
      return new Promise((_resolve, reject) => {
        init.signal?.addEventListener("abort", () => {
          aborted.push(range);
          reject(new DOMException("aborted", "AbortError"));
        });
      });
    });
    const store = new FrameStore(manifest, "/frames.bin");
    store.ahead(1, 2, 0, 1);
    expect(ranges).toEqual(["bytes=0-39"]); // one chunk at a time: the next once this one is here
    store.ahead(13, 2, 0, 1); // far away: chunk 0 is no longer fetched
    expect(aborted).toEqual(["bytes=0-39"]);
    expect(ranges).toEqual(["bytes=0-39", "bytes=120-159"]);
    store.close();
  });

  it("decodes ahead two frames at a time, nearest first, and drops those no longer wanted", async () => {
    fake();
    const started: number[] = [];
    const finish: Array<() => void> = [];
    vi.stubGlobal("createImageBitmap", async (blob: Blob) => {
      const first = new Uint8Array(await blob.arrayBuffer())[0] as number;
      started.push(first);
      await new Promise<void>((r) => finish.push(r));
      return { width: 1000, height: 1000, close: () => undefined };
    });
    const store = new FrameStore(manifest, "/frames.bin");
    store.ahead(4, 3, 0, 0); // chunk 1: frames 4-7
    for (let i = 0; i < 5; i++) await settle();
    expect(started).toEqual([4, 5, 6]); // the frame itself at once, two ahead of it
    store.ahead(8, 1, 0, 0); // elsewhere: frame 7 (queued) is dropped
    expect(store.has(7)).toBe(false);
    for (const done of finish.splice(0)) done();
    for (let i = 0; i < 5; i++) await settle();
    expect(started).toEqual([4, 5, 6, 8, 9]);
    store.close();
  });
});
