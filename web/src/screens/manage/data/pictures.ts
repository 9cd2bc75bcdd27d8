/**
 * Pictures in the data manager's rows: which value of a task's data is an image to show as a
 * small picture, and the file name that stands for it in the row's text.
 *
 * The listing signs media (accord.media.links): an image field's object form,
 * `{src, width, height}`, comes with `src` signed and `thumb` (a signed link to a 256 px WebP)
 * once its thumbnail was made; a plain string reference comes signed, with no thumbnail, and
 * is shown as a picture only when the file it names is an image (by its name).
 */
import type { Json, JsonObject } from "../../../api/types";

const FILES = "/api/v1/files/";
const IMAGE_NAME = /\.(jpe?g|png|webp|tiff?|gif|bmp|avif)$/i;

const PRESIGNED = /^https?:\/\/[^?#]+\?(?:.*&)?X-Amz-Signature=/;

/** A link the page may load: Accord's own signed file link, or a presigned bucket URL (the
 * page's Content-Security-Policy refuses images from anywhere else, so other web addresses
 * are not tried). */
function loadable(url: string): boolean {
  return url.startsWith(FILES) || PRESIGNED.test(url);
}

/** The storage key (or path) a signed link points at; "" when it cannot be read. */
export function linkedName(url: string): string {
  if (url.startsWith(FILES)) {
    const payload = url.slice(FILES.length).split(".")[0] ?? "";
    try {
      const bytes = Uint8Array.from(atob(payload.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
      const text = new TextDecoder().decode(bytes);
      const key: unknown = (JSON.parse(text) as { k?: unknown }).k;
      return typeof key === "string" ? key : "";
    } catch {
      return "";
    }
  }
  try {
    return decodeURIComponent(new URL(url).pathname);
  } catch {
    return "";
  }
}

function baseName(path: string): string {
  return path.split("/").pop() ?? path;
}

function isObject(value: Json): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The picture to show for one value: an image object's thumbnail (else the image itself), or
 * a signed link to an image file; null for anything else. */
export function pictureOf(value: Json): string | null {
  if (isObject(value)) {
    const { thumb, src } = value;
    if (typeof thumb === "string" && loadable(thumb)) return thumb;
    if (typeof src === "string" && loadable(src)) return src;
    return null;
  }
  if (typeof value === "string" && loadable(value) && IMAGE_NAME.test(linkedName(value))) return value;
  return null;
}

/** The first picture of a task's data (one per row), or null. */
export function firstPicture(data: JsonObject): string | null {
  for (const value of Object.values(data)) {
    const picture = pictureOf(value);
    if (picture) return picture;
  }
  return null;
}

/** The data with each picture's value replaced by its file name (for the row's text: a
 * signed link is long and means nothing to a person). */
export function namedPictures(data: JsonObject): JsonObject {
  let changed = false;
  const named: JsonObject = {};
  for (const [key, value] of Object.entries(data)) {
    const picture = pictureOf(value);
    const src = isObject(value) && typeof value.src === "string" ? value.src : picture;
    if (picture && src) {
      named[key] = baseName(linkedName(src)) || "image";
      changed = true;
    } else {
      named[key] = value;
    }
  }
  return changed ? named : data;
}
