/**
 * Upload picked images into a project's media in batches (`api.media.upload`), reporting the
 * progress; the first refused batch stops the upload with the server's message, which names
 * each bad file and why.
 */
import { api, ApiError } from "../../api";
import type { Placed } from "./cocoRows";
import { batchesOf, type Picked } from "./imageFiles";

export interface UploadState {
  /** Files whose batch is stored. */
  files: number;
  totalFiles: number;
  /** Bytes sent (of the batches done, and of the one going). */
  bytes: number;
  totalBytes: number;
  batch: number;
  batches: number;
}

/** A refused batch: the server's words, and each bad file with its reason when it gives them. */
export class UploadRefused extends Error {
  constructor(
    message: string,
    readonly files: { file: string; message: string }[],
  ) {
    super(message);
  }
}

export interface Uploaded {
  placed: Map<string, Placed>;
  /** Files stored anew (the others were there already, with the same bytes). */
  stored: number;
}

export async function uploadImages(
  projectId: number,
  items: readonly Picked[],
  onState: (state: UploadState) => void,
  signal: AbortSignal,
): Promise<Uploaded> {
  const batches = batchesOf(items);
  const totalBytes = items.reduce((sum, item) => sum + item.file.size, 0);
  const placed = new Map<string, Placed>();
  let stored = 0;
  let doneBytes = 0;
  for (const [i, batch] of batches.entries()) {
    const batchBytes = batch.reduce((sum, item) => sum + item.file.size, 0);
    const state = { files: placed.size, totalFiles: items.length, bytes: doneBytes, totalBytes, batch: i + 1, batches: batches.length };
    onState(state);
    try {
      const answer = await api.media.upload(projectId, batch, {
        signal,
        onProgress: (p) => onState({ ...state, bytes: doneBytes + (p.total ? (p.loaded / p.total) * batchBytes : 0) }),
      });
      for (const file of answer.files) {
        placed.set(file.name, { src: file.src, width: file.width, height: file.height });
        if (file.stored) stored += 1;
      }
    } catch (error) {
      throw refusal(error, i + 1, batches.length, placed.size);
    }
    doneBytes += batchBytes;
    onState({ ...state, files: placed.size, bytes: doneBytes });
  }
  return { placed, stored };
}

/** The error to show for a batch that failed (a cancel is passed on as it is). */
function refusal(error: unknown, batch: number, batches: number, kept: number): unknown {
  if (!(error instanceof ApiError)) return error;
  const files = badFiles(error.details);
  const earlier = kept
    ? ` The ${kept.toLocaleString()} images of the earlier batches are stored in the project's media (adding them again stores nothing twice).`
    : "";
  const which = batches > 1 ? `Batch ${batch} of ${batches} of the images was refused` : "The images were refused";
  return new UploadRefused(`${which}, so nothing was imported: ${error.message}${earlier}`, files);
}

function badFiles(details: unknown): { file: string; message: string }[] {
  const list = details && typeof details === "object" && "files" in details ? (details as { files: unknown }).files : null;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown) => {
    if (!item || typeof item !== "object") return [];
    const { file, message } = item as { file?: unknown; message?: unknown };
    return typeof file === "string" && typeof message === "string" ? [{ file, message }] : [];
  });
}
