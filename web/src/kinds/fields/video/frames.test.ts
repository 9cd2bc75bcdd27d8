import { describe, expect, it } from "vitest";
import { frameAt, videoSourceOf } from "./frames";

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
    expect(videoSourceOf({ src: "/a", frames_state: "ready", manifest: "/m", frames_data: "/d" })).toEqual({ src: "/a", state: "ready", manifest: "/m", data: "/d", error: null });
    expect(videoSourceOf({ src: "/a", frames_state: "failed", frames_error: "bad" })?.error).toBe("bad");
    expect(videoSourceOf({ src: "/a" })?.state).toBe("pending");
    expect(videoSourceOf("https://x/a.mp4")?.state).toBe("failed");
    expect(videoSourceOf(3)).toBeNull();
  });
});
