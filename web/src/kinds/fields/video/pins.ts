/**
 * The bitmaps a video store last handed to the stage: never closed while among the last
 * `PINNED` shown (the stage may still be drawing one); a bitmap the store lets go meanwhile
 * is closed once it leaves them. Shared by `FrameStore` (JPEG frames) and `PacketStore`
 * (WebCodecs).
 */
export const PINNED = 4;

export class Pins {
  private shown: ImageBitmap[] = [];
  private retired = new Set<ImageBitmap>();

  /** `bitmap` is being shown: it stays open until PINNED later ones were shown. */
  pin(bitmap: ImageBitmap): void {
    if (this.shown[this.shown.length - 1] === bitmap) return;
    this.shown.push(bitmap);
    while (this.shown.length > PINNED) {
      const gone = this.shown.shift() as ImageBitmap;
      if (this.retired.delete(gone) && !this.shown.includes(gone)) gone.close();
    }
  }

  /** Close a bitmap the store no longer keeps, unless it is being shown (then when it is not). */
  drop(bitmap: ImageBitmap): void {
    if (this.shown.includes(bitmap)) this.retired.add(bitmap);
    else bitmap.close();
  }
}
