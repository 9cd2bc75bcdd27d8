import { describe, expect, it } from "vitest";
import { isSafeLink, renderMarkdown } from "./markdown";

describe("renderMarkdown", () => {
  it("shows raw HTML as text", () => {
    const html = renderMarkdown("<img src=x onerror=alert(1)> <script>alert(2)</script>");
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<script");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });

  it("never makes a javascript: or data: link live", () => {
    for (const source of ["[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](java\tscript:alert(1))", "<javascript:alert(1)>", "[x](data:text/html,<b>)", "[x](vbscript:msgbox)"]) {
      const html = renderMarkdown(source);
      expect(html).not.toMatch(/href="\s*(?:java|data|vb)/i);
    }
  });

  it("keeps http links, opening them safely in a new tab", () => {
    const html = renderMarkdown("[ok](https://example.org)");
    expect(html).toContain('href="https://example.org"');
    expect(html).toContain('rel="noopener noreferrer nofollow"');
    expect(html).toContain('target="_blank"');
  });

  it("shows images as their description, fetching nothing", () => {
    const html = renderMarkdown('![a cat](https://example.org/cat.png "t")');
    expect(html).not.toContain("<img");
    expect(html).toContain("[image: a cat]");
  });

  it("keeps single newlines as line breaks, and nothing more", () => {
    expect(renderMarkdown("Step one\nStep two\n\nNew paragraph")).toBe("<p>Step one<br>\nStep two</p>\n<p>New paragraph</p>\n");
    const html = renderMarkdown("a <b>\n<script>x</script>");
    expect(html).toBe("<p>a &lt;b&gt;<br>\n&lt;script&gt;x&lt;/script&gt;</p>\n");
  });

  it("renders code blocks", () => {
    expect(renderMarkdown("```python\nprint('<b>')\n```")).toContain("<pre><code class=\"language-python\">print('&lt;b&gt;')");
  });
});

describe("isSafeLink", () => {
  it("allows web, mail and relative links only", () => {
    expect(isSafeLink("https://a.b")).toBe(true);
    expect(isSafeLink("mailto:a@b.c")).toBe(true);
    expect(isSafeLink("/docs")).toBe(true);
    expect(isSafeLink("#top")).toBe(true);
    expect(isSafeLink("//evil.example")).toBe(false);
    expect(isSafeLink(" javascript:alert(1)")).toBe(false);
    expect(isSafeLink("file:///etc/passwd")).toBe(false);
  });
});
