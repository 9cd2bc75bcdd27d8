/**
 * Offsets in a text, as the browser counts them (UTF-16 code units: an emoji is 2) and as
 * the server counts them (Unicode code points, Python string indexing: an emoji is 1).
 * An `OffsetMap` is built once per text (O(n)); each conversion is then a binary search
 * over the astral characters only, so it stays fast on long texts.
 */
export class OffsetMap {
  /** UTF-16 index of each astral character (a surrogate pair), in order. */
  private readonly astral: number[];
  readonly utf16Length: number;
  readonly codePointLength: number;

  constructor(text: string) {
    const astral: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          astral.push(i);
          i++;
        }
      }
    }
    this.astral = astral;
    this.utf16Length = text.length;
    this.codePointLength = text.length - astral.length;
  }

  /** How many astral characters start before UTF-16 index `index`. */
  private astralBeforeUtf16(index: number): number {
    let low = 0;
    let high = this.astral.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.astral[mid] as number) < index) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** The code-point offset of a UTF-16 offset; one inside a pair counts as its start. */
  toCodePoint(utf16: number): number {
    return utf16 - this.astralBeforeUtf16(utf16);
  }

  /** The UTF-16 offset of a code-point offset. */
  toUtf16(codePoint: number): number {
    // The k-th astral character sits at code point astral[k] - k.
    let low = 0;
    let high = this.astral.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.astral[mid] as number) - mid < codePoint) low = mid + 1;
      else high = mid;
    }
    return codePoint + low;
  }

  /** Move a UTF-16 offset off the middle of a surrogate pair (forward). */
  snap(utf16: number): number {
    const before = this.astralBeforeUtf16(utf16);
    return before > 0 && this.astral[before - 1] === utf16 - 1 ? utf16 + 1 : utf16;
  }
}
