import { describe, expect, it } from "vitest";
import { groupBySection, guidelineSections, sectionTitle } from "./sections";

describe("guideline sections", () => {
  it("anchors headings as the server does", () => {
    const found = guidelineSections("# Rules\n\n## Sarcasm ##\n```\n# not a heading\n```\n## Sarcasm\n#no\n");
    expect(found.map((s) => s.anchor)).toEqual(["rules", "sarcasm", "sarcasm-2"]);
    expect(found[1]).toEqual({ anchor: "sarcasm", title: "Sarcasm", level: 2 });
  });

  it("names and groups sections", () => {
    const sections = guidelineSections("# A\n## B\n");
    expect(sectionTitle("", sections)).toBe("The guidelines as a whole");
    expect(sectionTitle("b", sections)).toBe("B");
    expect(sectionTitle("gone", sections)).toContain("no longer");
    const grouped = groupBySection([{ section: "" }, { section: "b" }, { section: "gone" }, { section: "a" }, { section: "b" }], sections);
    expect(grouped.map(([s, items]) => [s, items.length])).toEqual([
      ["a", 1],
      ["b", 2],
      ["gone", 1],
      ["", 1],
    ]);
  });
});
