import { describe, expect, it } from "vitest";
import { follow, frameInView, maxZoom, MIN_SPAN, panned, percentOf, spanOf, zoomed } from "./view";

describe("events timeline view", () => {
  it("shows every frame at zoom 1 and no fewer than MIN_SPAN frames zoomed", () => {
    expect(spanOf(10_000, 1)).toBe(10_000);
    expect(spanOf(10_000, 4)).toBe(2_500);
    expect(spanOf(10_000, 1024)).toBe(MIN_SPAN);
    expect(spanOf(12, 8)).toBe(12);
    expect(maxZoom(10_000)).toBe(256); // 10,000 / 256 = 39 frames; / 512 = 19.5 < 20
    expect(maxZoom(30)).toBe(1);
  });

  it("follows the current frame when it leaves the view, centring it", () => {
    expect(follow(10_000, 4, 0, 100)).toEqual({ start: 0, span: 2_500 });
    expect(follow(10_000, 4, 0, 2_500)).toEqual({ start: 1_250, span: 2_500 });
    expect(follow(10_000, 4, 5_000, 100)).toEqual({ start: 0, span: 2_500 });
    expect(follow(10_000, 4, 0, 9_999)).toEqual({ start: 7_500, span: 2_500 });
    expect(follow(10_000, 1, 3_000, 9_999)).toEqual({ start: 0, span: 10_000 });
  });

  it("zooms around an anchor frame and maps pixels to frames in the view", () => {
    const view = zoomed(10_000, 8, 5_000, 0.5);
    expect(view).toEqual({ start: 4_375, span: 1_250 });
    expect(frameInView(500, 1_000, view)).toBe(5_000);
    expect(frameInView(0, 1_000, view)).toBe(4_375);
    expect(frameInView(1_000, 1_000, view)).toBe(5_624);
    expect(percentOf(5_000, view)).toBe(50);
    expect(zoomed(10_000, 16, 10, 0.5).start).toBe(0); // kept within the video
    expect(panned(10_000, view, 10_000)).toEqual({ start: 8_750, span: 1_250 });
    expect(panned(10_000, view, -10_000)).toEqual({ start: 0, span: 1_250 });
  });
});
