import { describe, expect, it } from "vitest";
import { summary } from "./answerSummary";

describe("summary", () => {
  it("reads each kind in a few words", () => {
    expect(summary({ sentiment: { choice: "pos" }, stars: { rating: 4 } })).toBe("sentiment: pos · stars: 4");
    expect(summary({ boxes: { objects: [{ id: "1" }, { id: "2" }] }, one: { objects: [{ id: "a" }] } })).toBe(
      "boxes: 2 objects · one: 1 object",
    );
  });

  it("counts tracks, events and segments", () => {
    const tracks = { tracks: [{ id: "t1", keyframes: [{ frame: 0 }, { frame: 9 }] }, { id: "t2", keyframes: [{ frame: 3 }] }] };
    expect(summary({ cars: tracks })).toBe("cars: 2 tracks, 3 keyframes");
    expect(summary({ acts: { events: [{ id: "e1" }] } })).toBe("acts: 1 event");
    expect(summary({ who: { segments: [{ id: "s1" }, { id: "s2" }] } })).toBe("who: 2 segments");
    expect(summary({ words: { segments: [{ id: "s1", text: "hello there" }, { id: "s2", text: " general  kenobi " }] } })).toBe(
      "words: 2 segments, 4 words",
    );
  });

  it("reads a rubric's verdicts", () => {
    expect(summary({ judge: { criteria: { polite: true, rude: false, clear: 3 }, comment: "ok" } })).toBe("judge: polite pass, rude fail, clear 3");
    expect(summary({ judge: { criteria: {} } })).toBe("judge: no criteria judged");
  });

  it("cuts a long reading", () => {
    expect(summary({ why: { text: "x".repeat(300) }, more: { choices: ["a".repeat(200)] } }).length).toBe(158);
  });
});
