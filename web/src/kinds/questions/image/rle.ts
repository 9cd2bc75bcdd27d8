/**
 * Masks: COCO run-length encoding (column-major, the compressed string form of pycocotools'
 * `rleToString` / `rleFrString`), and painting into a mask (brush discs, polygon fill).
 * A decoded mask is a row-major Uint8Array (index y * width + x), 1 inside, 0 outside.
 */
import type { Pt, Rle } from "./model";

/** Run lengths (zeros first) of a row-major mask read column by column. */
export function runsOf(mask: Uint8Array, height: number, width: number): number[] {
  const runs: number[] = [];
  let current = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const v = mask[y * width + x] ? 1 : 0;
      if (v !== current) {
        runs.push(run);
        run = 0;
        current = v;
      }
      run++;
    }
  }
  runs.push(run);
  return runs;
}

/** pycocotools' compressed string of run lengths (LEB128-like, 5 bits a char, delta of runs 2 apart). */
export function countsToString(runs: readonly number[]): string {
  let out = "";
  for (let i = 0; i < runs.length; i++) {
    let x = runs[i] as number;
    if (i > 2) x -= runs[i - 2] as number;
    let more = true;
    while (more) {
      let c = ((x % 32) + 32) % 32; // x & 0x1f, for any size
      x = Math.floor(x / 32); // arithmetic shift right by 5
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      out += String.fromCharCode(c + 48);
    }
  }
  return out;
}

export function stringToCounts(text: string): number[] {
  const runs: number[] = [];
  let p = 0;
  while (p < text.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= text.length) throw new Error("RLE counts end in the middle of a number");
      const c = text.charCodeAt(p) - 48;
      if (c < 0 || c > 63) throw new Error(`RLE counts have a character out of range at ${p}`);
      x += (c & 0x1f) * 2 ** (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x -= 2 ** (5 * k);
    }
    if (runs.length > 2) x += runs[runs.length - 2] as number;
    runs.push(x);
  }
  return runs;
}

export function encodeMask(mask: Uint8Array, height: number, width: number): Rle {
  return { size: [height, width], counts: countsToString(runsOf(mask, height, width)) };
}

export function decodeMask(rle: Rle): Uint8Array {
  const [height, width] = rle.size;
  const mask = new Uint8Array(height * width);
  const runs = stringToCounts(rle.counts);
  let at = 0;
  let value = 0;
  for (const run of runs) {
    if (value) {
      for (let i = at; i < Math.min(at + run, height * width); i++) {
        const x = Math.floor(i / height);
        const y = i - x * height;
        mask[y * width + x] = 1;
      }
    }
    at += run;
    value ^= 1;
  }
  return mask;
}

const decoded = new Map<string, Uint8Array>();

/** The decoded mask (a few recent ones are kept: hit tests decode once). */
export function decodeCached(rle: Rle): Uint8Array {
  const key = `${rle.size[0]}x${rle.size[1]}:${rle.counts}`;
  let mask = decoded.get(key);
  if (!mask) {
    mask = decodeMask(rle);
    decoded.set(key, mask);
    if (decoded.size > 32) decoded.delete(decoded.keys().next().value as string);
  }
  return mask;
}

export function maskValueAt(rle: Rle, x: number, y: number): number {
  const [height, width] = rle.size;
  if (x < 0 || y < 0 || x >= width || y >= height || !rle.counts) return 0;
  return decodeCached(rle)[y * width + x] ?? 0;
}

/** Paint a disc of radius r (pixels whose centre is inside) with `value`. */
export function paintDisc(mask: Uint8Array, height: number, width: number, cx: number, cy: number, r: number, value: 0 | 1): void {
  const y0 = Math.max(0, Math.floor(cy - r));
  const y1 = Math.min(height - 1, Math.ceil(cy + r));
  for (let y = y0; y <= y1; y++) {
    const dy = y + 0.5 - cy;
    const half = r * r - dy * dy;
    if (half < 0) continue;
    const span = Math.sqrt(half);
    const x0 = Math.max(0, Math.ceil(cx - span - 0.5));
    const x1 = Math.min(width - 1, Math.floor(cx + span - 0.5));
    for (let x = x0; x <= x1; x++) mask[y * width + x] = value;
  }
}

/** Paint a stroke from a to b with a round brush of radius r. */
export function paintStroke(mask: Uint8Array, height: number, width: number, a: Pt, b: Pt, r: number, value: 0 | 1): void {
  const steps = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / Math.max(0.5, r / 2)));
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    paintDisc(mask, height, width, a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, r, value);
  }
}

/** Fill a polygon (pixels whose centre is inside, even-odd rule) with `value`. */
export function fillPolygon(mask: Uint8Array, height: number, width: number, points: readonly Pt[], value: 0 | 1): void {
  const n = points.length;
  if (n < 3) return;
  for (let y = 0; y < height; y++) {
    const sy = y + 0.5;
    const xs: number[] = [];
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const [xi, yi] = points[i] as Pt;
      const [xj, yj] = points[j] as Pt;
      if (yi > sy !== yj > sy) xs.push(xi + ((sy - yi) * (xj - xi)) / (yj - yi));
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const x0 = Math.max(0, Math.ceil((xs[k] as number) - 0.5));
      const x1 = Math.min(width - 1, Math.ceil((xs[k + 1] as number) - 0.5) - 1);
      for (let x = x0; x <= x1; x++) mask[y * width + x] = value;
    }
  }
}

/** The pixel area of a mask. */
export function areaOf(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i] ? 1 : 0;
  return n;
}
