/**
 * An image field's value as the browser gets it: a (signed) URL string, or
 * `{"src", "width", "height", "thumb"?}` (docs/images.md). Also loads it: the thumbnail first
 * when there is one and the size is known, then the full image.
 */
import type { Json } from "../../../api/types";

export interface ImageSource {
  src: string;
  width: number | null;
  height: number | null;
  thumb: string | null;
  /** Why the server did not sign `src` (e.g. a bucket tasks may not use); null when it did. */
  error: string | null;
}

const posInt = (value: Json | undefined): number | null => (typeof value === "number" && Number.isInteger(value) && value > 0 ? value : null);

export function imageSourceOf(value: Json | undefined): ImageSource | null {
  if (typeof value === "string" && value) return { src: value, width: null, height: null, thumb: null, error: null };
  if (value && typeof value === "object" && !Array.isArray(value) && typeof value.src === "string" && value.src) {
    const width = posInt(value.width);
    const height = posInt(value.height);
    const known = width !== null && height !== null;
    return {
      src: value.src,
      width: known ? width : null,
      height: known ? height : null,
      thumb: typeof value.thumb === "string" && value.thumb ? value.thumb : null,
      error: typeof value.error === "string" && value.error ? value.error : null,
    };
  }
  return null;
}

/** Only links the browser can show: http(s), same-site paths, data and blob URLs. */
export function isShowable(src: string): boolean {
  return /^(https?:\/\/|\/|data:image\/|blob:)/i.test(src);
}

export interface Loaded {
  image: HTMLImageElement;
  width: number;
  height: number;
  /** A thumbnail stands in until the full image arrives. */
  preview: boolean;
}

function loadOne(src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.decoding = "async";
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error(`the image could not be loaded from ${src.split("?")[0]}: check that the file exists and is an image`));
    image.src = src;
  });
}

/**
 * Load the image; `onImage` is called with the thumbnail (when the size is declared) and
 * then the full image. The size used is the declared one, else the image's own (the
 * browser applies EXIF orientation, as the server does).
 */
export async function loadImage(source: ImageSource, onImage: (loaded: Loaded) => void, cancelled: () => boolean): Promise<void> {
  if (source.error) throw new Error(source.error);
  if (!isShowable(source.src)) throw new Error(`the image link “${source.src.slice(0, 80)}” is not one a browser can open (the server signs s3:// and file:// links it may serve)`);
  const full = loadOne(source.src);
  if (source.thumb && source.width && source.height && isShowable(source.thumb)) {
    const thumb = await loadOne(source.thumb).catch(() => null);
    if (thumb && !cancelled()) onImage({ image: thumb, width: source.width, height: source.height, preview: true });
  }
  const image = await full;
  await image.decode?.().catch(() => undefined);
  if (cancelled()) return;
  onImage({ image, width: source.width ?? image.naturalWidth, height: source.height ?? image.naturalHeight, preview: false });
}
