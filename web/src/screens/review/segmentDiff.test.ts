import { describe, expect, it } from "vitest";
import { segmentChanges } from "./segmentDiff";

const parts = (...segments: object[]) => ({ segments }) as never;

describe("segmentChanges", () => {
  it("names each changed segment and what changed in it, in time order", () => {
    const before = parts(
      { id: "s1", label: "speech", start: 0.5, end: 1.5, speaker: "A" },
      { id: "s2", label: "noise", start: 2, end: 3.3, speaker: "B" },
      { id: "s3", label: "speech", start: 3.5, end: 4.2, speaker: "B" },
    );
    const after = parts(
      { id: "s1", label: "speech", start: 0.5, end: 1.5, speaker: "A" },
      { id: "s3", label: "speech", start: 3.5, end: 4, speaker: "A" },
      { id: "s2", label: "speech", start: 2, end: 3.3, speaker: "B", attributes: { noisy: "yes" } },
    );
    expect(segmentChanges(before, after)).toEqual([
      "s2 (speech, B): label noise → speech; noisy none → yes",
      "s3 (speech, A): speaker B → A; end 4.200 s → 4.000 s",
    ]);
  });

  it("quotes a transcript's corrected text; says what was added and removed", () => {
    const before = parts({ id: "s1", start: 0, end: 2, text: "the quick brown fox" }, { id: "s2", start: 2, end: 4, text: "jumps" });
    const after = parts({ id: "s1", start: 0, end: 2, text: "the quick brown fox!" }, { id: "s3", start: 5, end: 61.5, text: "later", speaker: "B" });
    expect(segmentChanges(before, after)).toEqual([
      "s1: “the quick brown fox” → “the quick brown fox!”",
      "s2 removed: 2.000 s – 4.000 s “jumps”",
      "s3 added: B 5.000 s – 1:01.500 “later”",
    ]);
    expect(segmentChanges(null, parts({ id: "s1", label: "speech", start: 1, end: 2 }))).toEqual(["s1 added: speech 1.000 s – 2.000 s"]);
    expect(segmentChanges(parts({ id: "s1", label: "speech", start: 1, end: 2 }), undefined)).toEqual(["s1 removed: speech 1.000 s – 2.000 s"]);
  });

  it("is null for other answers, and counts what is past a dozen lines", () => {
    expect(segmentChanges({ choice: "a" }, { choice: "b" })).toBeNull();
    expect(segmentChanges(null, undefined)).toBeNull();
    expect(segmentChanges(parts(), { objects: [] })).toBeNull();
    const many = Array.from({ length: 20 }, (_, i) => ({ id: `s${i}`, label: "x", start: i, end: i + 0.5 }));
    const lines = segmentChanges(parts(), parts(...many)) ?? [];
    expect(lines).toHaveLength(12);
    expect(lines[11]).toBe("and 9 more changes");
  });
});
