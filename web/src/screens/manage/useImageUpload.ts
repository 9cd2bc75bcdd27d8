/** The image upload the Import screen's image parts share: check, upload in batches, make the
 * rows, hand them to the importer; its phase for the screen. */
import { useRef, useState } from "react";
import type { DatasetFormat } from "../../api";
import { isHandled, messageOf } from "./errors";
import type { Picked } from "./imageFiles";
import { UploadRefused, uploadImages, type Uploaded, type UploadState } from "./uploadImages";

export type Phase =
  | { kind: "idle" }
  | { kind: "checking" }
  | { kind: "uploading"; state: UploadState }
  | { kind: "failed"; message: string; files: { file: string; message: string }[] }
  | { kind: "handed"; note: string };

/** The rows made of the uploaded images, and what to say about them. */
export interface Made {
  file: File;
  note: string;
}

export interface ImageUpload {
  phase: Phase;
  /** Which part started the last upload (its status shows there). */
  origin: string | null;
  running: boolean;
  /** Check (may throw an Error whose message is shown), upload `items`, make the rows. */
  run: (origin: string, prepare: () => Promise<Picked[]>, rows: (uploaded: Uploaded) => Made | Promise<Made>) => Promise<void>;
  /** Hand a dataset zip (which holds its images) to the importer as it is: the server
   * checks and stores its images itself. */
  send: (origin: string, zip: File, format: DatasetFormat, note: string) => void;
  cancel: () => void;
}

export function useImageUpload(projectId: number, onRows: (file: File, format?: DatasetFormat) => void): ImageUpload {
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const [origin, setOrigin] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  const running = phase.kind === "checking" || phase.kind === "uploading";

  async function run(from: string, prepare: () => Promise<Picked[]>, rows: (uploaded: Uploaded) => Made | Promise<Made>): Promise<void> {
    setOrigin(from);
    const controller = new AbortController();
    abort.current = controller;
    setPhase({ kind: "checking" });
    try {
      const items = await prepare();
      const uploaded = await uploadImages(projectId, items, (state) => setPhase({ kind: "uploading", state }), controller.signal);
      const made = await rows(uploaded);
      setPhase({ kind: "handed", note: made.note });
      onRows(made.file);
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError")
        setPhase({ kind: "failed", message: "Upload cancelled: no task was imported. Images of batches already sent are kept in the project's media.", files: [] });
      else if (error instanceof UploadRefused) setPhase({ kind: "failed", message: error.message, files: error.files });
      else if (!isHandled(error)) setPhase({ kind: "failed", message: messageOf(error), files: [] });
    } finally {
      abort.current = null;
    }
  }

  function send(from: string, zip: File, format: DatasetFormat, note: string): void {
    setOrigin(from);
    setPhase({ kind: "handed", note });
    onRows(zip, format);
  }

  return { phase, origin, running, run, send, cancel: () => abort.current?.abort() };
}

/** A file input that picks a whole folder (Chromium, Firefox and Safari all take the
 * attribute; React does not know it, so it is set on the element). */
export function folderInput(element: HTMLInputElement | null): void {
  element?.setAttribute("webkitdirectory", "");
}

