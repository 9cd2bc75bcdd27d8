/** What an import job's end means for the person who started it (pure; tested in
 * importOutcome.test.ts). */
import type { ImportReport, Job, Json, JsonObject, RowError } from "../../../api";
import { mediaDatasetOf } from "../mediaDatasetReport";

export type ImportOutcome =
  /** Imported; `lateCancel`: a cancel came after the commit point, so it finished. */
  | { kind: "done"; report: ImportReport; lateCancel: boolean }
  /** The file was refused (one bad row stops an import unless bad rows are skipped). */
  | { kind: "refused"; message: string; errors: RowError[]; badLines: number }
  | { kind: "failed"; message: string }
  | { kind: "cancelled"; message: string };

const num = (value: Json | undefined): number => (typeof value === "number" ? value : 0);
const isObject = (value: Json | undefined): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);

function rowErrors(value: Json | undefined): RowError[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isObject).map((e) => ({
    line: num(e.line),
    field: typeof e.field === "string" ? e.field : null,
    message: typeof e.message === "string" ? e.message : "",
  }));
}

/** The import's report from a succeeded job's result; ``format``: the job's (a video or audio
 * dataset's counts are worded by it). */
export function reportOf(result: JsonObject | null, format?: Json): ImportReport {
  const r = result ?? {};
  // A video or audio dataset's counts: `media_dataset`, as in the answer without a job (jobs
  // finished before 2026-12-06 stored them as `dataset`).
  const media = mediaDatasetOf(r.media_dataset ?? r.dataset, format);
  return {
    import_id: typeof r.import_id === "number" ? r.import_id : null,
    created: num(r.created),
    duplicates: num(r.duplicates),
    skipped: num(r.skipped),
    predictions: num(r.predictions),
    gold: num(r.gold),
    errors: rowErrors(r.errors),
    duplicate_ids: Array.isArray(r.duplicate_ids) ? r.duplicate_ids.filter((id): id is string => typeof id === "string") : [],
    ...(media ? { media_dataset: media } : datasetOf(r.dataset)),
    ...sourceOf(r),
  };
}

/** An image dataset's counts (what it held, images from its zip), when the import read one. */
function datasetOf(value: Json | undefined): Pick<ImportReport, "dataset"> {
  if (!isObject(value)) return {};
  const labels = isObject(value.skipped_labels) ? value.skipped_labels : {};
  return {
    dataset: {
      images: num(value.images),
      skipped_labels: Object.fromEntries(Object.entries(labels).map(([label, n]) => [label, num(n)])),
      from_zip: num(value.from_zip),
      new_from_zip: num(value.new_from_zip),
      unnamed_in_zip: num(value.unnamed_in_zip),
      unnamed_examples: Array.isArray(value.unnamed_examples) ? value.unnamed_examples.filter((n): n is string => typeof n === "string") : [],
    },
  };
}

/** With a source (`source=NAME`): the annotations its answers became, and the tasks that kept
 * their prediction. */
function sourceOf(r: JsonObject): Pick<ImportReport, "source" | "annotations" | "left_as_predictions" | "left_tasks"> {
  if (typeof r.source !== "string") return {};
  const left = Array.isArray(r.left_tasks) ? r.left_tasks.filter(isObject) : [];
  return {
    source: r.source,
    annotations: num(r.annotations),
    left_as_predictions: num(r.left_as_predictions),
    left_tasks: left.map((t) => ({ task_id: num(t.task_id), id: typeof t.id === "string" ? t.id : null, reason: typeof t.reason === "string" ? t.reason : "" })),
  };
}

/** How the import ended; null while it is queued or running. */
export function importOutcome(job: Job): ImportOutcome | null {
  switch (job.state) {
    case "queued":
    case "running":
      return null;
    case "succeeded":
      return { kind: "done", report: reportOf(job.result, job.params.format), lateCancel: job.cancel_requested };
    case "cancelled":
      return { kind: "cancelled", message: cancelledMessage(job) };
    case "failed": {
      const details = job.result?.details;
      const message = job.error ?? "The import failed without saying why; look at the server's log.";
      if (isObject(details) && Array.isArray(details.errors)) {
        const errors = rowErrors(details.errors);
        const badLines = typeof details.bad_lines === "number" ? details.bad_lines : errors.length;
        return { kind: "refused", message, errors, badLines };
      }
      return { kind: "failed", message };
    }
  }
}

function cancelledMessage(job: Job): string {
  const started = job.result?.import_id;
  if (job.error && typeof started === "number")
    return `Import cancelled (${job.error}). Its worker stopped after import ${started} had begun: if that import passed its commit point, its tasks are in the project. Check the Data page.`;
  return "Import cancelled: nothing was imported.";
}
