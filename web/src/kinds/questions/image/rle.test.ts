import { describe, expect, it } from "vitest";
import { countsToString, decodeMask, encodeMask, fillPolygon, paintDisc, runsOf, stringToCounts, areaOf } from "./rle";

/** The 7×9 mask below, encoded by pycocotools (`mask.encode` of a Fortran-ordered array). */
const ROWS = [
  [0, 0, 0, 0, 0, 0, 0, 0, 0],
  [0, 0, 1, 1, 1, 1, 0, 0, 0],
  [0, 0, 1, 1, 1, 1, 0, 0, 0],
  [0, 0, 1, 1, 1, 1, 0, 0, 0],
  [0, 0, 0, 0, 0, 0, 0, 0, 0],
  [1, 1, 1, 1, 1, 1, 1, 1, 1],
  [0, 0, 0, 0, 0, 0, 0, 0, 1],
];
const KNOWN = "5160L2ON12ON12ON12ON500001";

function maskOf(rows: number[][]): Uint8Array {
  return Uint8Array.from(rows.flat());
}

describe("COCO RLE", () => {
  it("encodes a known mask exactly as pycocotools does", () => {
    expect(encodeMask(maskOf(ROWS), 7, 9)).toEqual({ size: [7, 9], counts: KNOWN });
  });

  it("decodes pycocotools' string back to the same pixels", () => {
    expect(Array.from(decodeMask({ size: [7, 9], counts: KNOWN }))).toEqual(ROWS.flat());
  });

  it("encodes a large mask (big runs, negative deltas) like pycocotools", () => {
    const h = 300;
    const w = 400;
    const mask = new Uint8Array(h * w);
    for (let y = 10; y < 290; y++) for (let x = 20; x < 380; x++) if (y < 100 || y >= 120) mask[y * w + x] = 1;
    const rle = encodeMask(mask, h, w);
    expect(rle.counts).toBe("jk5j2d0" + "`20`M0".repeat(359) + "`2Vk5");
    expect(decodeMask(rle)).toEqual(mask);
  });

  it("round-trips run lengths beyond 32 bits", () => {
    const runs = [3_000_000_000, 5, 2_999_999_990, 7];
    expect(stringToCounts(countsToString(runs))).toEqual(runs);
  });

  it("starts with a zero run when the first pixel is set", () => {
    expect(runsOf(Uint8Array.from([1, 1, 0, 1]), 2, 2)).toEqual([0, 1, 1, 2]);
  });

  it("refuses a truncated string", () => {
    expect(() => stringToCounts("0`")).toThrow(/middle of a number/);
  });
});

describe("painting", () => {
  it("fills a polygon by pixel centres", () => {
    const mask = new Uint8Array(10 * 10);
    fillPolygon(mask, 10, 10, [
      [2, 2],
      [6, 2],
      [6, 5],
      [2, 5],
    ], 1);
    expect(areaOf(mask)).toBe(12);
    expect(mask[2 * 10 + 2]).toBe(1);
    expect(mask[5 * 10 + 2]).toBe(0);
  });

  it("paints and erases a disc", () => {
    const mask = new Uint8Array(20 * 20);
    paintDisc(mask, 20, 20, 10, 10, 3, 1);
    const area = areaOf(mask);
    expect(area).toBeGreaterThan(24);
    expect(area).toBeLessThanOrEqual(32);
    paintDisc(mask, 20, 20, 10, 10, 3, 0);
    expect(areaOf(mask)).toBe(0);
  });
});
