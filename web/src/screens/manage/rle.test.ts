import { describe, expect, it } from "vitest";
import { countsToString as encodeCounts } from "../../kinds/questions/image/rle";
import { canonical, compressedCounts } from "./rle";

describe("rle", () => {
  it("encodes counts as pycocotools does", () => {
    // pycocotools: mask.encode of a 4×6 mask with pixels (0,0), (1,0), (2,3) set.
    expect(encodeCounts([0, 2, 12, 1, 9])).toBe("02<OM");
    expect(encodeCounts([0])).toBe("0");
    expect(encodeCounts([100000, 5])).toBe(encodeCounts([100000, 5]));
  });

  it("merges empty runs and keeps a leading empty one", () => {
    expect(canonical([0, 2, 8, 0, 0, 1, 13])).toEqual([0, 2, 8, 1, 13]);
    expect(canonical([3, 0, 2])).toEqual([5]);
    expect(canonical([0, 0, 0])).toEqual([0]);
  });

  it("refuses counts that do not fill the mask", () => {
    expect(() => compressedCounts({ size: [2, 2], counts: [1, 2] })).toThrow("RLE counts sum to 3, expected h*w = 4");
    expect(compressedCounts({ size: [4, 6], counts: "abc" })).toEqual({ size: [4, 6], counts: "abc" });
  });
});
