import { describe, expect, it } from "vitest";
import { blocksCopyAt, escapeXml, shieldKey, watermarkImage } from "./shield";

const plain = { shiftKey: false, altKey: false, ctrlKey: false, metaKey: false };

describe("the task shield", () => {
  it("watermarks the viewer's name, email and time, escaped", () => {
    const image = watermarkImage("Ann <A&B>", "ann@example.com", new Date("2026-12-05T08:03:00Z"));
    const svg = decodeURIComponent(image.slice('url("data:image/svg+xml;charset=utf-8,'.length, -2));
    expect(svg).toContain("Ann &lt;A&amp;B&gt; · ann@example.com");
    expect(svg).toContain("2026-12-05 08:03 UTC");
    expect(image.startsWith('url("data:image/svg+xml')).toBe(true);
    expect(image.slice(5, -2)).not.toContain('"'); // quotes inside are encoded
  });

  it("escapes every XML special character", () => {
    expect(escapeXml(`<&>"'`)).toBe("&lt;&amp;&gt;&quot;&apos;");
  });

  it("maps keys: h reveals, Shift+H marks, b takes a break; modifiers and others do nothing", () => {
    expect(shieldKey({ ...plain, key: "h" })).toBe("reveal");
    expect(shieldKey({ ...plain, key: "H", shiftKey: true })).toBe("mark");
    expect(shieldKey({ ...plain, key: "b" })).toBe("break");
    expect(shieldKey({ ...plain, key: "h", ctrlKey: true })).toBeNull();
    expect(shieldKey({ ...plain, key: "x" })).toBeNull();
  });

  it("blocks copying outside the annotator's own text boxes", () => {
    expect(blocksCopyAt(null)).toBe(true);
    expect(blocksCopyAt({} as EventTarget)).toBe(true);
  });
});
