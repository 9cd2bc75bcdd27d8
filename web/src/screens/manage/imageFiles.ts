/**
 * Image files picked in the browser (a folder, or several files): which are images, the
 * relative name each is uploaded under, the batches they are sent in, the dataset names they
 * answer to, and the import rows made of the upload's answers.
 */
import type { ImportRow, Placed } from "./cocoRows";

/** What the media endpoint takes (src/accord/media/images.py): JPEG, PNG, WebP, TIFF. */
export const IMAGE_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "tif", "tiff"];
/** As the SDK's `import_dataset`: files and bytes per upload request. */
export const BATCH_FILES = 200;
export const BATCH_BYTES = 256 * 1024 * 1024;
const LISTED = 10;

/** The part of a `File` these helpers read (tests pass plain objects). */
export interface FileLike {
  name: string;
  size: number;
  webkitRelativePath?: string;
}

export interface Picked<F extends FileLike = File> {
  /** Its relative name: the path inside the picked folder, with the folder's own name. */
  name: string;
  file: F;
}

export const relativeName = (file: FileLike): string => file.webkitRelativePath || file.name;

const extension = (name: string): string => (name.includes(".") ? (name.split(".").pop() ?? "").toLowerCase() : "");
const hidden = (name: string): boolean => name.split("/").some((part) => part.startsWith("."));

/** The images among `files` (by their ending; hidden files left out), sorted by name, and
 * the names of the other files. */
export function pickImages<F extends FileLike>(files: readonly F[]): { images: Picked<F>[]; others: string[] } {
  const images: Picked<F>[] = [];
  const others: string[] = [];
  for (const file of files) {
    const name = relativeName(file);
    if (hidden(name)) continue;
    if (IMAGE_EXTENSIONS.includes(extension(name))) images.push({ name, file });
    else others.push(name);
  }
  images.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { images, others };
}

/** `items` in upload batches: at most `maxFiles` files and `maxBytes` bytes each (a file
 * larger than that goes alone). */
export function batchesOf<T extends { file: FileLike }>(items: readonly T[], maxFiles = BATCH_FILES, maxBytes = BATCH_BYTES): T[][] {
  const out: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (batch.length && (batch.length >= maxFiles || bytes + item.file.size > maxBytes)) {
      out.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += item.file.size;
  }
  if (batch.length) out.push(batch);
  return out;
}

/** "a.jpg, b.jpg (and 3 more)". */
export function listed(names: readonly string[], most = LISTED): string {
  const shown = names.slice(0, most).join(", ");
  return names.length > most ? `${shown} (and ${names.length - most} more)` : shown;
}

/** The picked file of each name a dataset gives, looked for as a path inside the picked
 * folder (`train/0001.jpg` in the folder `images/` is `images/train/0001.jpg`), else as the
 * whole relative name; the names found nowhere are `missing`. */
export function matchNames<F extends FileLike>(names: readonly string[], picked: readonly Picked<F>[]): { found: Picked<F>[]; missing: string[] } {
  const inside = new Map<string, F>();
  const whole = new Map<string, F>();
  for (const { name, file } of picked) {
    whole.set(name, file);
    const slash = name.indexOf("/");
    if (slash >= 0) inside.set(name.slice(slash + 1), file);
  }
  const found: Picked<F>[] = [];
  const missing: string[] = [];
  for (const name of new Set(names)) {
    const file = inside.get(name) ?? whole.get(name);
    if (file) found.push({ name, file });
    else missing.push(name);
  }
  return { found, missing };
}

/** One task per image: its relative name as the task's id (adding the folder again adds
 * nothing new), the image field in object form. */
export function folderRows(field: string, placed: ReadonlyMap<string, Placed>): ImportRow[] {
  return [...placed].map(([name, at]) => ({ id: name, [field]: { src: at.src, width: at.width, height: at.height } }));
}

/** Rows as a JSON Lines file for the import endpoint. */
export function jsonlFile(rows: readonly ImportRow[], filename: string): File {
  const text = rows.map((row) => JSON.stringify(row)).join("\n") + "\n";
  return new File([text], filename, { type: "application/x-ndjson" });
}
