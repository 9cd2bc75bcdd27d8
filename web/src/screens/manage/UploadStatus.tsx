import type { ReactNode } from "react";
import { Notice } from "../../ui/Notice";
import { ProgressBar } from "../../ui/ProgressBar";
import { formatBytes } from "./jobs/format";
import type { ImageUpload } from "./useImageUpload";

/** Under the part that started it: the upload's progress or refusal, then the import's
 * `status` (its job and report). */
export function UploadStatus({ upload, origin, status }: { upload: ImageUpload; origin: string; status: ReactNode }) {
  if (upload.origin !== origin) return null;
  return (
    <div className="image-upload-status">
      <UploadPhase upload={upload} />
      {upload.phase.kind === "handed" ? status : null}
    </div>
  );
}

function UploadPhase({ upload }: { upload: ImageUpload }) {
  const { phase } = upload;
  switch (phase.kind) {
    case "idle":
      return null;
    case "checking":
      return (
        <p className="small" role="status">
          Reading the files…
        </p>
      );
    case "uploading": {
      const { state } = phase;
      return (
        <div className="import-progress" role="status" data-image-upload="">
          <ProgressBar value={state.bytes} max={state.totalBytes} label="Image upload" />
          <span className="small">
            Uploading images… {state.files.toLocaleString()} of {state.totalFiles.toLocaleString()} stored
            {state.batches > 1 ? ` (batch ${state.batch} of ${state.batches})` : ""}, {formatBytes(state.bytes)} of {formatBytes(state.totalBytes)}
          </span>
          <button type="button" onClick={upload.cancel}>
            Cancel upload
          </button>
        </div>
      );
    }
    case "failed":
      return (
        <div data-image-error="">
          <Notice tone="error">{phase.message}</Notice>
          {phase.files.length ? (
            <table className="table row-errors">
              <caption>Refused files: fix them or leave them out of the folder, then try again</caption>
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {phase.files.map((f) => (
                  <tr key={f.file}>
                    <td>
                      <code>{f.file}</code>
                    </td>
                    <td>{f.message.startsWith(`${f.file}: `) ? f.message.slice(f.file.length + 2) : f.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
      );
    case "handed":
      return (
        <p className="small" role="status" data-image-uploaded="">
          {phase.note}
        </p>
      );
  }
}
