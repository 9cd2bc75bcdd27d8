/**
 * The spectrogram under the waveform, from `spectrogram.bin` (docs/audio.md): `columns` columns
 * of `bins` bytes, column c at byte c*bins, bin 0 the lowest frequency, 0..255 = floor_db..0 dB.
 * Only the visible window is fetched, in blocks of `BLOCK` columns by HTTP Range requests
 * (one signed link serves every range), and the last `KEPT_BLOCKS` blocks are kept. A window
 * longer than `MAX_COLUMNS` columns (over four minutes at 50 columns a second) is not drawn:
 * zooming in shows it.
 */
import type { SpectrogramInfo } from "./source";

export const BLOCK = 1024;
const KEPT_BLOCKS = 48;
export const MAX_COLUMNS = 12_000;

/** The block indexes holding columns [first, last]. */
export function blocksFor(first: number, last: number): number[] {
  const out: number[] = [];
  for (let b = Math.floor(first / BLOCK); b <= Math.floor(last / BLOCK); b++) out.push(b);
  return out;
}

/** The byte range (inclusive ends, as the Range header has them) of a block. */
export function blockRange(block: number, info: SpectrogramInfo): [number, number] {
  const first = block * BLOCK;
  const last = Math.min(info.columns, first + BLOCK) - 1;
  return [first * info.bins, (last + 1) * info.bins - 1];
}

export class SpectrogramStore {
  private blocks = new Map<number, Promise<Uint8Array>>();
  private whole: Promise<Uint8Array> | null = null;

  constructor(
    readonly info: SpectrogramInfo,
    private readonly url: string,
  ) {}

  /** The bytes of columns [first, last] (clipped to the file), fetched if needed. */
  async columns(first: number, last: number): Promise<Uint8Array> {
    const lo = Math.max(0, first);
    const hi = Math.min(this.info.columns - 1, last);
    const bins = this.info.bins;
    if (hi < lo) return new Uint8Array(0);
    const blocks = await Promise.all(blocksFor(lo, hi).map((b) => this.block(b).then((data) => [b, data] as const)));
    const out = new Uint8Array((hi - lo + 1) * bins);
    for (const [b, data] of blocks) {
      const blockFirst = b * BLOCK;
      const from = Math.max(lo, blockFirst);
      const to = Math.min(hi, blockFirst + BLOCK - 1);
      out.set(data.subarray((from - blockFirst) * bins, (to - blockFirst + 1) * bins), (from - lo) * bins);
    }
    return out;
  }

  private block(index: number): Promise<Uint8Array> {
    const known = this.blocks.get(index);
    if (known) {
      this.blocks.delete(index); // most recently used last
      this.blocks.set(index, known);
      return known;
    }
    const loading = this.fetchBlock(index);
    this.blocks.set(index, loading);
    loading.catch(() => this.blocks.delete(index));
    while (this.blocks.size > KEPT_BLOCKS) this.blocks.delete(this.blocks.keys().next().value as number);
    return loading;
  }

  private async fetchBlock(index: number): Promise<Uint8Array> {
    const [start, end] = blockRange(index, this.info);
    if (this.whole) return (await this.whole).subarray(start, end + 1);
    const answer = await fetch(this.url, { headers: { Range: `bytes=${start}-${end}` }, credentials: "same-origin" });
    if (answer.status === 206) return new Uint8Array(await answer.arrayBuffer());
    if (answer.status === 200) {
      // No range support: keep the whole file, cut every block from it.
      this.whole = answer.arrayBuffer().then((b) => new Uint8Array(b));
      return (await this.whole).subarray(start, end + 1);
    }
    throw new Error(`the spectrogram could not be read (HTTP ${answer.status}); reload the page`);
  }
}

/** 256 RGB colours from dark blue through magenta to pale yellow (0 = floor_db, 255 = 0 dB). */
export const COLOURS: Uint8ClampedArray = (() => {
  const stops: Array<[number, number, number, number]> = [
    [0, 12, 8, 38],
    [0.3, 84, 15, 109],
    [0.55, 187, 55, 84],
    [0.8, 249, 142, 8],
    [1, 252, 255, 164],
  ];
  const out = new Uint8ClampedArray(256 * 3);
  for (let v = 0; v < 256; v++) {
    const t = v / 255;
    let i = 0;
    while (i < stops.length - 2 && t > (stops[i + 1] as number[])[0]!) i++;
    const [t0, r0, g0, b0] = stops[i] as [number, number, number, number];
    const [t1, r1, g1, b1] = stops[i + 1] as [number, number, number, number];
    const f = (t - t0) / (t1 - t0);
    out[v * 3] = r0 + (r1 - r0) * f;
    out[v * 3 + 1] = g0 + (g1 - g0) * f;
    out[v * 3 + 2] = b0 + (b1 - b0) * f;
  }
  return out;
})();

/** Columns (column-major, `bins` each) as an image `columns` wide and `bins` high, the lowest
 * frequency at the bottom. */
export function columnsToImage(data: Uint8Array, bins: number): ImageData | null {
  const columns = Math.floor(data.length / bins);
  if (columns === 0 || bins === 0) return null;
  const pixels = new Uint8ClampedArray(columns * bins * 4);
  for (let c = 0; c < columns; c++) {
    for (let b = 0; b < bins; b++) {
      const v = data[c * bins + b] as number;
      const at = ((bins - 1 - b) * columns + c) * 4;
      pixels[at] = COLOURS[v * 3] as number;
      pixels[at + 1] = COLOURS[v * 3 + 1] as number;
      pixels[at + 2] = COLOURS[v * 3 + 2] as number;
      pixels[at + 3] = 255;
    }
  }
  return new ImageData(pixels, columns, bins);
}
