import { describe, expect, it } from "vitest";
import vectors from "./anchorVectors.json";
import { sectionText, sections } from "./anchors";

describe("guideline anchors", () => {
  it("match the vectors the server is tested with", () => {
    for (const c of vectors.cases) expect(sections(c.text).map((s) => s.anchor), c.text).toEqual(c.anchors);
  });
  it("cut sections as the server does", () => {
    for (const c of vectors.sections) expect(sectionText(c.text, c.anchor)).toBe(c.section);
  });
  it("stay the same when the text under a heading changes", () => {
    const before = sections("# Intro\nx\n## Labels\n").map((s) => s.anchor);
    const after = sections("# Intro\nnew\nx\n\n## Labels\nmore\n").map((s) => s.anchor);
    expect(after).toEqual(before);
  });
});
