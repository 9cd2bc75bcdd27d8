/** A project's media (src/accord/api/media.py): image files uploaded for its tasks. */
import { upload, type UploadProgress } from "./upload";

/** One uploaded file, as the server checked it. */
export interface MediaFile {
  /** The relative name it was sent under (`train/0001.jpg`). */
  name: string;
  /** The reference to put in a task's image field. */
  src: string;
  /** Size in pixels after the EXIF orientation. */
  width: number;
  height: number;
  format: string;
  /** False when the same bytes were already there. */
  stored: boolean;
  /** A TIFF's own reference (its `src` is a PNG copy browsers show). */
  original?: string | null;
}

export interface MediaUploaded {
  files: MediaFile[];
  /** The background job making the files' thumbnails. */
  thumbnails_job: number | null;
}

export const media = {
  /** Upload files under their relative names (one multipart request, with progress): all are
   * checked, then all stored or none. A bad file: 422 `bad_image` naming it (`details.files`:
   * `{file, message}`); another file already under a name: 409 `media_exists`. */
  upload: (
    projectId: number,
    files: readonly { name: string; file: Blob }[],
    options: { onProgress?: (p: UploadProgress) => void; signal?: AbortSignal } = {},
  ) => {
    const form = new FormData();
    for (const { name, file } of files) form.append("file", file, name);
    return upload<MediaUploaded>(`/projects/${projectId}/media`, form, options);
  },
};
