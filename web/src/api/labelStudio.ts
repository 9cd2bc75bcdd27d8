/** Label Studio projects brought in (docs/labelstudio.md): the export and its labeling config,
 * imported in the background into a project made at once. */
import type { Job } from "./types";
import { upload, type UploadProgress } from "./upload";

/** What a Label Studio import did (a job's `result` when it succeeded). */
export interface LabelStudioReport {
  project_id: number | null;
  tasks: number;
  tasks_skipped: number;
  annotations: number;
  annotations_skipped: number;
  predictions: number;
  cancelled_skipped: number;
  drafts_not_imported: number;
  accounts_matched: number;
  accounts_created: number;
  problems: string[];
  problem_count: number;
  notes: string[];
}

export interface LabelStudioStarted {
  project_id: number;
  job: Job;
}

export interface LabelStudioImportBody {
  export: File;
  config: File;
  title: string;
  skipInvalid: boolean;
  mediaBase: string;
}

export const labelStudio = {
  /** Upload both files (with progress); the project is made at once and filled by a job. A
   * config that cannot be read is refused here (422 `bad_config`), before anything is made. */
  start: (body: LabelStudioImportBody, options: { onProgress?: (p: UploadProgress) => void; signal?: AbortSignal } = {}) => {
    const form = new FormData();
    form.append("export", body.export, body.export.name);
    form.append("config", body.config, body.config.name);
    form.append("title", body.title);
    form.append("skip_invalid", body.skipInvalid ? "true" : "false");
    if (body.mediaBase.trim()) form.append("media_base", body.mediaBase.trim());
    form.append("background", "true");
    return upload<LabelStudioStarted>("/projects/import-labelstudio", form, options);
  },
};
