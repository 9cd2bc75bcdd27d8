import { describe, expect, it } from "vitest";
import type { GuidelineMergeChunk } from "../../api";
import { conflictsOf, resolveMerge } from "./merge";

const chunks: GuidelineMergeChunk[] = [
  { kind: "same", lines: ["# Labels", ""] },
  { kind: "conflict", line: 3, anchor: "labels", title: "Labels", base: ["pos"], mine: ["positive"], theirs: ["POS", "(any)"] },
  { kind: "same", lines: ["neg", ""] },
];

describe("guideline merge", () => {
  it("puts the chosen side of each conflict between the shared lines", () => {
    expect(resolveMerge(chunks, ["mine"])).toBe("# Labels\n\npositive\nneg\n");
    expect(resolveMerge(chunks, ["theirs"])).toBe("# Labels\n\nPOS\n(any)\nneg\n");
    expect(resolveMerge(chunks, ["both"])).toBe("# Labels\n\npositive\nPOS\n(any)\nneg\n");
  });
  it("waits until every conflict has a choice", () => {
    expect(resolveMerge(chunks, [])).toBeNull();
    expect(conflictsOf(chunks).map((c) => c.title)).toEqual(["Labels"]);
  });
});
