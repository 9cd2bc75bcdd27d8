import { useId, useMemo, useState, type ReactNode } from "react";
import type { DatasetFormat, Project } from "../../api";
import { parseInterface } from "../../editor/interface";
import { DatasetImport } from "./DatasetImport";
import { folderRows, jsonlFile, listed, pickImages } from "./imageFiles";
import { imageFieldOf, imageSchemaOf } from "./imageSchema";
import "./images.css";
import { formatBytes } from "./jobs/format";
import { UploadStatus } from "./UploadStatus";
import { folderInput, useImageUpload, type ImageUpload } from "./useImageUpload";

export interface ImageImportProps {
  project: Project;
  /** An import is running: the pickers wait. */
  busy: boolean;
  /** Import these rows (a JSON Lines file made here), or a dataset zip of `format`, as a
   * background job. */
  onRows: (file: File, format?: DatasetFormat) => void;
  /** The import job's progress and report, once rows were handed over. */
  status: ReactNode;
}

/** The Import screen's part for projects with an image field: a folder of images (one task
 * each), or a COCO dataset with its images (its shapes as predictions). */
export function ImageImport({ project, busy, onRows, status }: ImageImportProps) {
  const iface = useMemo(() => parseInterface(project.interface), [project.interface]);
  const field = imageFieldOf(iface);
  const schema = useMemo(() => imageSchemaOf(iface), [iface]);
  const upload = useImageUpload(project.id, onRows);
  if (field === null) return null;
  const locked = busy || upload.running;
  return (
    <section className="image-import" aria-label="Images">
      <FolderImport field={field} locked={locked} upload={upload} status={status} />
      <DatasetImport project={project} schema={schema} locked={locked} upload={upload} status={status} />
    </section>
  );
}

function FolderImport({ field, locked, upload, status }: { field: string; locked: boolean; upload: ImageUpload; status: ReactNode }) {
  const id = useId();
  const [files, setFiles] = useState<File[]>([]);
  const { images, others } = useMemo(() => pickImages(files), [files]);
  const bytes = images.reduce((sum, item) => sum + item.file.size, 0);

  function start(): void {
    void upload.run(
      "folder",
      async () => images,
      ({ placed, stored }) => ({
        file: jsonlFile(folderRows(field, placed), "images.jsonl"),
        note: `Uploaded ${placed.size.toLocaleString()} image${placed.size === 1 ? "" : "s"} (${stored.toLocaleString()} new to the project's media).`,
      }),
    );
  }

  return (
    <section className="image-import-part" aria-labelledby={`${id}-title`} data-image-folder="">
      <h2 id={`${id}-title`}>Add a folder of images</h2>
      <p className="muted small">
        Each image becomes a task, its <code>{field}</code> field set to the uploaded image. The task's id is the image's path in the folder, so adding the folder
        again adds only the new images. JPEG, PNG, WebP or TIFF; other files are left out.
      </p>
      <div className="drop-zone image-pickers">
        <label htmlFor={`${id}-folder`} className="button">
          Choose a folder…
        </label>
        <input id={`${id}-folder`} ref={folderInput} className="visually-hidden" type="file" multiple disabled={locked} onChange={(e) => setFiles([...(e.target.files ?? [])])} data-pick-folder="" />
        <span className="muted small">or</span>
        <label htmlFor={`${id}-files`} className="button">
          Choose images…
        </label>
        <input id={`${id}-files`} className="visually-hidden" type="file" multiple accept="image/jpeg,image/png,image/webp,image/tiff,.tif,.tiff" disabled={locked} onChange={(e) => setFiles([...(e.target.files ?? [])])} data-pick-images="" />
        {files.length ? (
          <p className="drop-file" data-picked-images={images.length}>
            {images.length.toLocaleString()} image{images.length === 1 ? "" : "s"} · {formatBytes(bytes)}
            {images[0] ? <span className="muted small"> — {listed(images.map((i) => i.name), 3)}</span> : null}
          </p>
        ) : null}
        {others.length ? (
          <p className="muted small">
            Left out, not images: {listed(others, 5)}
          </p>
        ) : null}
      </div>
      <p className="import-buttons">
        <button type="button" className="button-primary" disabled={locked || images.length === 0} onClick={start}>
          Upload and import {images.length ? `${images.length.toLocaleString()} ` : ""}image{images.length === 1 ? "" : "s"}
        </button>
      </p>
      <UploadStatus upload={upload} origin="folder" status={status} />
    </section>
  );
}
