import { describe, expect, it } from "vitest";
import { renderGuidelines } from "./guidelineMarkdown";

describe("guideline markdown", () => {
  it("gives headings their anchors", () => {
    const html = renderGuidelines("# Intro\n## Labels\n## Labels\n");
    expect(html).toContain('<h1 id="guideline-intro">');
    expect(html).toContain('<h2 id="guideline-labels-2">');
  });
  it("shows only the project's own images", () => {
    const own = `![tone](/api/v1/projects/3/guidelines/images/${"a".repeat(32)}.png)`;
    expect(renderGuidelines(own)).toContain('<img class="guideline-image"');
    const elsewhere = renderGuidelines("![x](https://evil.example/x.png)");
    expect(elsewhere).not.toContain("<img");
    expect(renderGuidelines("<script>alert(1)</script>")).not.toContain("<script>");
  });
});
