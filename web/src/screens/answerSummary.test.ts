import { describe, expect, it } from "vitest";
import { summary } from "./answerSummary";

describe("summary", () => {
  it("reads each kind in a few words", () => {
    expect(summary({ sentiment: { choice: "pos" }, stars: { rating: 4 } })).toBe("sentiment: pos · stars: 4");
    expect(summary({ boxes: { objects: [{ id: "1" }, { id: "2" }] }, one: { objects: [{ id: "a" }] } })).toBe(
      "boxes: 2 objects · one: 1 object",
    );
  });

  it("cuts a long reading", () => {
    expect(summary({ why: { text: "x".repeat(300) }, more: { choices: ["a".repeat(200)] } }).length).toBe(158);
  });
});
