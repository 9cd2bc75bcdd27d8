import { describe, expect, it } from "vitest";
import { OffsetMap } from "./offsets";
import {
  addSpan,
  findOverlaps,
  nextWordEnd,
  overlaps,
  prevWordStart,
  relabelSpan,
  removeSpan,
  segments,
  spansAt,
  toBrowserRange,
  toServerSpan,
  trimRange,
  type Span,
} from "./spans";

const PER: Span = { start: 0, end: 5, label: "PER" };
const LOC: Span = { start: 17, end: 22, label: "LOC" };

describe("overlap", () => {
  it("treats touching spans as not overlapping", () => {
    expect(overlaps({ start: 0, end: 5 }, { start: 5, end: 9 })).toBe(false);
    expect(overlaps({ start: 0, end: 5 }, { start: 4, end: 9 })).toBe(true);
    expect(overlaps({ start: 2, end: 3 }, { start: 0, end: 9 })).toBe(true);
  });

  it("finds every overlapping pair", () => {
    const spans: Span[] = [PER, { start: 3, end: 8, label: "ORG" }, { start: 4, end: 6, label: "LOC" }, LOC];
    expect(findOverlaps(spans)).toHaveLength(3);
    expect(findOverlaps([PER, LOC])).toEqual([]);
  });
});

describe("adding, removing and relabelling", () => {
  it("adds a span in order", () => {
    const { spans, added } = addSpan([LOC], PER, false);
    expect(spans).toEqual([PER, LOC]);
    expect(added).toEqual(PER);
  });

  it("ignores the same span twice and empty ranges", () => {
    expect(addSpan([PER], { ...PER }, false).added).toBeNull();
    expect(addSpan([PER], { start: 3, end: 3, label: "PER" }, true).added).toBeNull();
  });

  it("replaces what a new span overlaps when overlap is not allowed", () => {
    const org: Span = { start: 3, end: 8, label: "ORG" };
    const { spans, replaced } = addSpan([PER, LOC], org, false);
    expect(spans).toEqual([org, LOC]);
    expect(replaced).toEqual([PER]);
  });

  it("keeps both when overlap is allowed", () => {
    const org: Span = { start: 3, end: 8, label: "ORG" };
    expect(addSpan([PER], org, true).spans).toEqual([PER, org]);
    expect(addSpan([PER], { ...PER, label: "ORG" }, true).spans).toHaveLength(2);
  });

  it("removes and relabels exactly one span", () => {
    expect(removeSpan([PER, LOC], PER)).toEqual([LOC]);
    expect(relabelSpan([PER, LOC], PER, "ORG")).toEqual([{ ...PER, label: "ORG" }, LOC]);
    const both: Span[] = [PER, { ...PER, label: "ORG" }];
    expect(relabelSpan(both, PER, "ORG")).toEqual(both);
  });

  it("lists the spans at an offset, innermost first", () => {
    const outer: Span = { start: 0, end: 10, label: "A" };
    const inner: Span = { start: 2, end: 4, label: "B" };
    expect(spansAt([outer, inner], 3)).toEqual([inner, outer]);
    expect(spansAt([outer, inner], 10)).toEqual([]);
  });
});

describe("browser and server offsets", () => {
  it("stores code points and the covered text, and draws in UTF-16", () => {
    const text = "😀 Alice met 👩‍👩‍👧 in Paris";
    const map = new OffsetMap(text);
    const start16 = text.indexOf("Alice");
    const span = toServerSpan(text, map, start16, start16 + 5, "PER");
    expect(span).toEqual({ start: 2, end: 7, label: "PER", text: "Alice" });
    expect([...text].slice(span.start, span.end).join("")).toBe("Alice");
    expect(toBrowserRange(map, span)).toEqual([start16, start16 + 5]);
    const paris16 = text.indexOf("Paris");
    const paris = toServerSpan(text, map, paris16, paris16 + 5, "LOC");
    expect([...text].slice(paris.start, paris.end).join("")).toBe("Paris");
    expect(toBrowserRange(map, paris)).toEqual([paris16, paris16 + 5]);
  });

  it("round-trips a span covering an emoji", () => {
    const text = "ok 🎉🎉 done";
    const map = new OffsetMap(text);
    const span = toServerSpan(text, map, 3, 7, "X");
    expect(span).toMatchObject({ start: 3, end: 5, text: "🎉🎉" });
    expect(toBrowserRange(map, span)).toEqual([3, 7]);
  });

  it("never cuts a surrogate pair", () => {
    const text = "a😀b";
    const map = new OffsetMap(text);
    expect(toServerSpan(text, map, 0, 2, "X")).toMatchObject({ start: 0, end: 2, text: "a😀" });
  });
});

describe("text helpers", () => {
  it("trims white space off a selection", () => {
    expect(trimRange("  Alice  met", 0, 8)).toEqual([2, 7]);
    expect(trimRange("   ", 0, 3)).toEqual([3, 3]);
  });

  it("moves by words", () => {
    const text = "Alice met Bob, in Paris.";
    expect(nextWordEnd(text, 0)).toBe(5);
    expect(nextWordEnd(text, 5)).toBe(9);
    expect(nextWordEnd(text, 10)).toBe(13);
    expect(nextWordEnd(text, 13)).toBe(14);
    expect(prevWordStart(text, 9)).toBe(6);
    expect(prevWordStart(text, 6)).toBe(0);
    expect(prevWordStart(text, 0)).toBe(0);
    expect(nextWordEnd(text, text.length)).toBe(text.length);
  });
});

describe("segments", () => {
  it("cuts at every boundary and knows what covers each piece", () => {
    const pieces = segments(12, [
      [0, 5],
      [3, 8],
    ]);
    expect(pieces.map((p) => [p.start, p.end, p.covering])).toEqual([
      [0, 3, [0]],
      [3, 5, [0, 1]],
      [5, 8, [1]],
      [8, 12, []],
    ]);
  });

  it("is one piece without spans", () => {
    expect(segments(50_000, [])).toEqual([{ start: 0, end: 50_000, covering: [] }]);
  });
});
