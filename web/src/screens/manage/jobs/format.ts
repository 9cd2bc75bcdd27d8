/** How a background job's progress reads (pure; tested in format.test.ts). */
import type { Job, JobKind, JobState, JobUnit } from "../../../api";

/** A worker starts a job at most this many times, when the job does not say (`max_attempts`). */
export const MAX_ATTEMPTS = 3;

const KINDS: Record<JobKind, string> = {
  import: "Import",
  export: "Export",
  consensus: "Consensus",
  metrics: "Metrics",
  bucket_sync: "Bucket sync",
  llm: "LLM",
  labelstudio_import: "Label Studio import",
  ml_predict: "Pre-labelling",
  ml_train: "Retraining",
};

const STATES: Record<JobState, string> = {
  queued: "Queued",
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  cancelled: "Cancelled",
};

/** Units in the singular and plural; bytes are written with `formatBytes`. */
const UNITS: Record<Exclude<JobUnit, "bytes">, [string, string]> = {
  tasks: ["task", "tasks"],
  rows: ["row", "rows"],
  questions: ["question", "questions"],
  steps: ["step", "steps"],
  annotations: ["annotation", "annotations"],
  files: ["file", "files"],
  images: ["image", "images"],
  lines: ["line", "lines"],
  objects: ["object", "objects"],
  recordings: ["recording", "recordings"],
  texts: ["text", "texts"],
  videos: ["video", "videos"],
};

export const kindLabel = (kind: string): string => KINDS[kind as JobKind] ?? kind;
export const stateLabel = (state: string): string => STATES[state as JobState] ?? state;
export const isActive = (job: Pick<Job, "state">): boolean => job.state === "queued" || job.state === "running";

/** "512 B", "1.5 KiB", "12.3 MiB", "2.0 GiB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

const count = (n: number): string => Math.round(n).toLocaleString("en-US");

/** "1,234 tasks", "1 row", "3.2 MiB". */
export function formatAmount(amount: number, unit: string): string {
  if (unit === "bytes") return formatBytes(amount);
  const names = UNITS[unit as keyof typeof UNITS];
  if (!names) return `${count(amount)} ${unit}`;
  return `${count(amount)} ${Math.round(amount) === 1 ? names[0] : names[1]}`;
}

/** "1.2 MiB of 40.0 MiB (3%)", "300 of 1,000 tasks (30%)", "1,234 tasks" (no total known). */
export function formatProgress(job: Pick<Job, "done" | "total" | "unit" | "percent">): string {
  const { done, total, unit } = job;
  if (total === null) return formatAmount(done, unit);
  const percent = job.percent ?? (total > 0 ? (100 * done) / total : 0);
  const share = `(${Math.floor(percent)}%)`;
  if (unit === "bytes") return `${formatBytes(done)} of ${formatBytes(total)} ${share}`;
  return `${count(done)} of ${formatAmount(total, unit)} ${share}`;
}

/** "2.1 MiB/s", "1,250 tasks/s", "0.5 rows/s"; "" when unknown or nothing moves. */
export function formatRate(rate: number | null, unit: string): string {
  if (rate === null || !Number.isFinite(rate) || rate <= 0) return "";
  if (unit === "bytes") return `${formatBytes(rate)}/s`;
  const names = UNITS[unit as keyof typeof UNITS];
  const plural = names ? names[1] : unit;
  const figure = rate < 10 ? rate.toFixed(1) : count(rate);
  return `${figure} ${plural}/s`;
}

/** A length of time as people read it: "0.4 s", "12 s", "3 min 5 s", "1 h 20 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 10) return Number.isInteger(seconds) ? `${Math.max(0, seconds)} s` : `${Math.max(0, seconds).toFixed(1)} s`;
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) {
    const rest = whole % 60;
    return rest ? `${Math.floor(whole / 60)} min ${rest} s` : `${whole / 60} min`;
  }
  const minutes = Math.round((whole % 3600) / 60);
  const hours = Math.floor(whole / 3600) + (minutes === 60 ? 1 : 0);
  return minutes % 60 ? `${hours} h ${minutes} min` : `${hours} h`;
}

/** "about 15 s left", "less than a second left"; "" when unknown. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return "";
  if (seconds < 1) return "less than a second left";
  return `about ${formatDuration(Math.ceil(seconds))} left`;
}

/** "2.1 MiB/s · about 15 s left", or whichever of the two is known. */
export function formatPace(job: Pick<Job, "rate" | "eta_seconds" | "unit" | "state">): string {
  if (job.state !== "running") return "";
  return [formatRate(job.rate, job.unit), formatEta(job.eta_seconds)].filter(Boolean).join(" · ");
}

/** "Retry: attempt 2 of 3" while a job a worker started again runs ("after 2 attempts"
 * once it is over); null on the first attempt. */
export function attemptText(job: Pick<Job, "attempts" | "state"> & { max_attempts?: number }, max: number = job.max_attempts ?? MAX_ATTEMPTS): string | null {
  if (job.attempts <= 1) return null;
  return isActive(job) ? `Retry: attempt ${job.attempts} of ${Math.max(max, job.attempts)}` : `after ${job.attempts} attempts`;
}

/** Seconds the job has run: from its start to its end (or to `now` while it runs); null
 * before it started. */
export function runSeconds(job: Pick<Job, "started_at" | "finished_at">, now: number = Date.now()): number | null {
  if (!job.started_at) return null;
  const end = job.finished_at ? Date.parse(job.finished_at) : now;
  return Math.max(0, (end - Date.parse(job.started_at)) / 1000);
}

/** One line saying where a job is: "Running · checking and staging rows", "Succeeded",
 * "Cancelled before it started" (a phase that starts with the state stands alone). */
export function stateLine(job: Pick<Job, "state" | "phase" | "cancel_requested">): string {
  if (job.cancel_requested && isActive(job)) return `Cancelling · ${job.phase}`;
  const state = stateLabel(job.state);
  const phase = job.phase.trim();
  if (!phase || phase === "done" || phase.toLowerCase() === state.toLowerCase()) return state;
  if (phase.toLowerCase().startsWith(state.toLowerCase())) return phase[0]?.toUpperCase() + phase.slice(1);
  return `${state} · ${phase}`;
}

/** The progress column's words: "waiting", "did not start", or done (of total). */
export function progressWords(job: Pick<Job, "state" | "started_at" | "done" | "total" | "unit" | "percent">): string {
  if (job.state === "queued") return "waiting";
  if (!job.started_at) return "did not start";
  return formatProgress(job);
}

const figure = (value: unknown): number => (typeof value === "number" ? value : 0);

/** A finished job's outcome in a few words: "2,500 created · 3 duplicates",
 * "project-3.jsonl · 1.2 MiB", the error's text; "" when there is nothing to say yet. */
export function resultSummary(job: Pick<Job, "kind" | "state" | "result" | "error" | "started_at">): string {
  if (job.error) return job.error;
  if (job.state === "cancelled") {
    if (job.kind === "import") return "Nothing was imported.";
    return job.started_at ? "Stopped before it finished." : "Cancelled before it ran.";
  }
  const result = job.result;
  if (job.state !== "succeeded" || !result) return "";
  if (job.kind === "import") {
    const parts = [`${count(figure(result.created))} created`];
    if (figure(result.duplicates)) parts.push(`${count(figure(result.duplicates))} duplicates`);
    if (figure(result.skipped)) parts.push(`${count(figure(result.skipped))} skipped`);
    return parts.join(" · ");
  }
  if (job.kind === "export") {
    const parts = [typeof result.filename === "string" ? result.filename : "the file", formatBytes(figure(result.bytes))];
    if (typeof result.tasks === "number") parts.push(formatAmount(result.tasks, "tasks"));
    return parts.join(" · ");
  }
  if (job.kind === "consensus" && Array.isArray(result.questions)) return formatAmount(result.questions.length, "questions");
  if (job.kind === "llm") return `${count(figure(result.done))} done · ${count(figure(result.failed))} failed · ${count(figure(result.skipped))} skipped`;
  return "Done.";
}
