import { describe, expect, it } from "vitest";
import { timeAtX, xOf } from "./link";
import { audioSourceOf, clock, decodePeaks, mediaSrcOf, ms } from "./source";
import { blockRange, blocksFor, BLOCK } from "./spectrogram";

describe("audio source", () => {
  it("reads the server's value in each state", () => {
    expect(audioSourceOf(undefined)).toBeNull();
    expect(audioSourceOf("https://x/a.wav")).toMatchObject({ src: "https://x/a.wav", state: "failed" });
    expect(audioSourceOf({ src: "/f/a.wav", duration: 2.5, waveform_state: "pending" })).toMatchObject({ state: "pending", duration: 2.5, manifest: null });
    expect(audioSourceOf({ src: "/f/a.wav", waveform_state: "ready", manifest: "/m", peaks: "/p", spectrogram: "/s" })).toMatchObject({
      state: "ready",
      manifest: "/m",
      peaks: "/p",
      spectrogram: "/s",
    });
    expect(audioSourceOf({ src: "/f/a.wav", waveform_state: "failed", waveform_error: "no audio stream" })).toMatchObject({ state: "failed", error: "no audio stream" });
    expect(mediaSrcOf({ src: "/a" })).toBe("/a");
    expect(mediaSrcOf("/b")).toBe("/b");
    expect(mediaSrcOf(3)).toBeNull();
  });

  it("decodes int8 (min, max) pairs to wavesurfer's two channels", () => {
    const bytes = new Int8Array([-127, 127, -64, 32, 0, 0]).buffer;
    const [top, bottom] = decodePeaks(bytes, 3);
    expect(Array.from(top)).toEqual([1, 32 / 127, 0].map(Math.fround));
    expect(Array.from(bottom)).toEqual([-1, -64 / 127, 0].map(Math.fround));
    expect(decodePeaks(bytes, 10)[0]).toHaveLength(3); // a short file is read as far as it goes
  });

  it("snaps to the millisecond and shows times to the millisecond", () => {
    expect(ms(1.23449)).toBe(1.234);
    expect(ms(1.2345)).toBe(1.235);
    expect(clock(0)).toBe("0.000 s");
    expect(clock(83.25)).toBe("1:23.250");
    expect(clock(3723.004)).toBe("1:02:03.004");
  });

  it("maps times and pixels through the visible window", () => {
    const view = { start: 10, end: 20 };
    expect(xOf(15, view, 200)).toBe(100);
    expect(timeAtX(100, 200, view, 60)).toBe(15);
    expect(timeAtX(-50, 200, { start: 0, end: 10 }, 60)).toBe(0);
    expect(timeAtX(500, 200, { start: 50, end: 60 }, 60)).toBe(60);
  });

  it("fetches the spectrogram's visible columns by blocks", () => {
    const info = { column_rate: 50, bins: 128, columns: BLOCK * 2 + 10, max_hz: 8000, scale: "mel", floor_db: -100 };
    expect(blocksFor(0, 10)).toEqual([0]);
    expect(blocksFor(BLOCK - 1, BLOCK)).toEqual([0, 1]);
    expect(blockRange(0, info)).toEqual([0, BLOCK * 128 - 1]);
    expect(blockRange(2, info)).toEqual([BLOCK * 2 * 128, (BLOCK * 2 + 10) * 128 - 1]);
  });
});
