/**
 * COCO's run-length masks in the browser: an uncompressed RLE (`counts` a list) turned into
 * the compressed string form Accord stores, as `rle_encode(rle_decode(...))` in
 * src/accord/quality/masks.py does (same runs, same string as pycocotools).
 */

import { countsToString } from "../../kinds/questions/image/rle";

type Obj = Record<string, unknown>;

/** `{size: [h, w], counts: "<string>"}` of a COCO RLE, compressed or not. */
export function compressedCounts(rle: Obj): { size: [number, number]; counts: string } {
  const size = rle.size;
  if (!Array.isArray(size) || size.length !== 2) throw new Error(`an RLE's size must be [height, width], not ${JSON.stringify(size)}`);
  const [h, w] = size.map((v) => Math.trunc(Number(v))) as [number, number];
  if (!Number.isFinite(h) || !Number.isFinite(w)) throw new Error(`an RLE's size must be [height, width], not ${JSON.stringify(size)}`);
  const counts = rle.counts;
  if (typeof counts === "string") return { size: [h, w], counts };
  if (!Array.isArray(counts) || !counts.every((c) => typeof c === "number" && Number.isInteger(c) && c >= 0))
    throw new Error("an RLE's counts must be a string or a list of run lengths (whole numbers ≥ 0)");
  const sum = (counts as number[]).reduce((a, b) => a + b, 0);
  if (sum !== h * w) throw new Error(`RLE counts sum to ${sum}, expected h*w = ${h * w}`);
  return { size: [h, w], counts: countsToString(canonical(counts as number[])) };
}

/** The runs of the same mask as `rle_encode` writes them: no empty run but a leading one
 * when the first pixel is set. */
export function canonical(counts: number[]): number[] {
  const runs: number[] = [];
  let last = -1; // value of the last run kept: 0 or 1
  counts.forEach((count, i) => {
    if (count === 0) return;
    const value = i % 2;
    if (value === last) runs[runs.length - 1] = (runs[runs.length - 1] ?? 0) + count;
    else {
      runs.push(count);
      last = value;
    }
  });
  if (runs.length === 0) return [0];
  const firstValue = counts.findIndex((c) => c > 0) % 2;
  return firstValue === 1 ? [0, ...runs] : runs;
}
