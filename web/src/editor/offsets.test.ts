import { describe, expect, it } from "vitest";
import { OffsetMap } from "./offsets";

describe("OffsetMap", () => {
  it("is the identity on text without astral characters", () => {
    const map = new OffsetMap("Alice met Bob in Paris, café.");
    for (const i of [0, 5, 29]) {
      expect(map.toCodePoint(i)).toBe(i);
      expect(map.toUtf16(i)).toBe(i);
    }
    expect(map.codePointLength).toBe(29);
  });

  it("counts an emoji as one code point and two UTF-16 units", () => {
    const text = "I 😀 love 👍🏽 it";
    const map = new OffsetMap(text);
    expect(map.codePointLength).toBe([...text].length);
    // "love" starts after "I 😀 " : 4 code points, 5 UTF-16 units
    expect(text.indexOf("love")).toBe(5);
    expect(map.toCodePoint(5)).toBe(4);
    expect(map.toUtf16(4)).toBe(5);
    expect([...text].slice(4, 8).join("")).toBe("love");
  });

  it("round-trips every offset between characters", () => {
    const text = "a😀b𝔘c\u{1F600}\u{1F600}d";
    const map = new OffsetMap(text);
    const cps = [...text];
    let utf16 = 0;
    for (let cp = 0; cp <= cps.length; cp++) {
      expect(map.toUtf16(cp)).toBe(utf16);
      expect(map.toCodePoint(utf16)).toBe(cp);
      utf16 += cp < cps.length ? (cps[cp] as string).length : 0;
    }
  });

  it("snaps an offset inside a surrogate pair forward", () => {
    const map = new OffsetMap("a😀b");
    expect(map.snap(2)).toBe(3);
    expect(map.snap(1)).toBe(1);
    expect(map.toCodePoint(2)).toBe(1);
  });

  it("matches Python slicing on a long text with many emoji", () => {
    const text = "word 🎉 ".repeat(5000);
    const map = new OffsetMap(text);
    const cps = [...text];
    for (const cp of [0, 1, 5, 6, 7, 12345, cps.length]) {
      expect(text.slice(0, map.toUtf16(cp))).toBe(cps.slice(0, cp).join(""));
    }
  });
});
