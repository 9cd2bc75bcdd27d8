import { describe, expect, it } from "vitest";
import { PlayheadFollower, pageTurn } from "./follow";

describe("the playhead kept in view while playing", () => {
  const view = { start: 10, end: 20 };

  it("turns the page near the right edge, the playhead then near the left", () => {
    expect(pageTurn(view, 15, 60)).toBeNull();
    expect(pageTurn(view, 19.4, 60)).toBeNull();
    expect(pageTurn(view, 19.6, 60)).toBeCloseTo(18.6);
    expect(pageTurn(view, 30, 60)).toBeCloseTo(29); // left the window altogether
    expect(pageTurn(view, 4, 60)).toBeCloseTo(3); // before it (a seek back)
  });

  it("never scrolls past either end, nor when nothing is zoomed", () => {
    expect(pageTurn(view, 58, 60)).toBe(50);
    expect(pageTurn({ start: 50, end: 60 }, 59.9, 60)).toBeNull();
    expect(pageTurn({ start: 0, end: 60 }, 59.9, 60)).toBeNull();
    expect(pageTurn(view, 0.5, 60)).toBe(0);
  });

  it("holds still while the waveform is dragged", () => {
    const follow = new PlayheadFollower();
    follow.pointer(true);
    expect(follow.tick(view, 25, 60)).toBeNull();
    follow.pointer(false);
    expect(follow.tick(view, 25, 60)).toBeCloseTo(24);
  });

  it("lets go after a scroll by hand, until the playhead is back in view or the person plays or seeks", () => {
    const follow = new PlayheadFollower();
    follow.scrolledByHand();
    expect(follow.holding).toBe(true);
    expect(follow.tick(view, 25, 60)).toBeNull(); // out of view: left where they put it
    expect(follow.tick(view, 12, 60)).toBeNull(); // back in view: followed again from here on
    expect(follow.holding).toBe(false);
    expect(follow.tick(view, 21, 60)).toBeCloseTo(20);
    follow.scrolledByHand();
    follow.resume();
    expect(follow.tick(view, 25, 60)).toBeCloseTo(24);
  });
});
