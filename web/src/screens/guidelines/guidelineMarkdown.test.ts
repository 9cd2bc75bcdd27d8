import { describe, expect, it } from "vitest";
import { renderGuidelines } from "./guidelineMarkdown";
import vectors from "./anchorVectors.json";

describe("guideline markdown", () => {
  it("gives headings their anchors", () => {
    const html = renderGuidelines("# Intro\n## Labels\n## Labels\n");
    expect(html).toContain('<h1 id="guideline-intro">');
    expect(html).toContain('<h2 id="guideline-labels-2">');
  });
  it("gives setext headings their anchors", () => {
    const html = renderGuidelines("Intro\n=====\n\nLabels\n------\n\n---\n");
    expect(html).toContain('<h1 id="guideline-intro">');
    expect(html).toContain('<h2 id="guideline-labels">');
    expect(html).toContain("<hr>");
  });
  it("renders as headings exactly the lines the anchor rule names (markdown-it agrees)", () => {
    for (const c of vectors.cases) {
      const html = renderGuidelines(c.text);
      const headings = [...html.matchAll(/<h[1-6]( id="guideline-([^"]*)")?>/g)].map((m) => m[2] ?? "(no anchor)");
      expect(headings, c.text).toEqual(c.anchors);
    }
  });
  it("shows only the project's own images", () => {
    const own = `![tone](/api/v1/projects/3/guidelines/images/${"a".repeat(32)}.png)`;
    expect(renderGuidelines(own)).toContain('<img class="guideline-image"');
    const elsewhere = renderGuidelines("![x](https://evil.example/x.png)");
    expect(elsewhere).not.toContain("<img");
    expect(renderGuidelines("<script>alert(1)</script>")).not.toContain("<script>");
  });
});
