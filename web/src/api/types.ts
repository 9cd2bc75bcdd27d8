/** Shapes the server sends and takes (see src/accord/api/*.py and /api/openapi.json). */

/** Any JSON value: results and task data are JSON the server stores as is. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface User {
  id: number;
  email: string;
  name: string;
  is_admin: boolean;
  is_active: boolean;
  /** May create projects (admins always may). */
  can_create_projects: boolean;
  /** Sign-in refused until then (failed attempts), or null. */
  locked_until: string | null;
  last_login_at: string | null;
  created_at: string;
}

/** `POST /users` (admins). */
export interface UserCreate {
  email: string;
  password: string;
  name: string;
  is_admin: boolean;
  can_create_projects: boolean;
}

/** `PATCH /users/{id}` (admins): any of these. */
export type UserChange = Partial<Pick<User, "name" | "is_admin" | "is_active" | "can_create_projects">>;

export interface Session {
  user: User;
  csrf_token: string;
}

/** `GET /session`: who is signed in; `user` is null when no one is. */
export interface CurrentSession {
  user: User | null;
  csrf_token: string;
}

export type Role = "manager" | "reviewer" | "annotator" | "admin";

export interface Progress {
  tasks: number;
  new: number;
  in_progress: number;
  complete: number;
  annotations: number;
  /** Annotations the caller submitted. */
  mine: number;
}

export interface Project {
  id: number;
  name: string;
  description: string;
  /** The interface as stored: parse it with `editor/interface.ts` (defaults are left out). */
  interface: JsonObject;
  overlap: number;
  lease_seconds: number;
  order: string;
  uncertainty_measure: string;
  /** Active learning orders: take turns between the classes the model predicts. */
  diversity: boolean;
  /** The share of submissions sent to review, drawn at random (0 none, 1 all). */
  review_share: number;
  /** Each annotator's first N submissions all go to review. */
  review_first: number;
  /** A submission on a task whose best prediction scores below this goes to review (0: off). */
  review_below_confidence: number;
  /** A submission whose single-choice answers differ from most earlier answers goes to review. */
  review_disagreements: boolean;
  /** What reviewers check; a fix or a rejection records which items failed. */
  checklist: ChecklistItem[];
  /** Also review the work of annotators whose gold score is below this (0: off). */
  review_below_gold: number;
  /** Also review submissions made in under this share of the median active time (0: off). */
  review_faster_than: number;
  /** The share of served tasks that are gold (0: none). */
  gold_rate: number;
  /** Show the expected answer after a gold task is submitted. */
  gold_feedback: boolean;
  /** Pause an annotator whose gold score falls below this (0: never)… */
  gold_pause_below: number;
  /** …after this many gold tasks. */
  gold_pause_min: number;
  /** The qualification score to pass (0: no qualification). */
  qualification_pass: number;
  qualification_attempts: number;
  consensus_method: string;
  agreement_threshold: number;
  max_overlap: number;
  guidelines: string;
  guidelines_version: number;
  role: Role;
  progress: Progress;
  created_at: string;
  updated_at: string;
}

export interface Task {
  id: number;
  project_id: number;
  external_id: string | null;
  data: JsonObject;
  status: "new" | "in_progress" | "complete";
  annotations: number;
  created_at: string;
  /** Sensitive content: shown veiled until revealed (docs/confidentiality.md). */
  sensitive?: boolean;
  /** The data was deleted under the project's retention policy. */
  data_deleted?: boolean;
}

export interface Draft {
  result: JsonObject;
  seconds: number;
  updated_at: string;
}

export interface Lease {
  /** null when nothing is left for the caller. */
  task: Task | null;
  draft: Draft | null;
  lease_expires_at: string | null;
  /** Model pre-annotations of the task (shown as a suggestion). */
  predictions: Prediction[];
  /** Set for a qualification or training task: where the caller stands. */
  practice?: Practice | null;
}

/** Where an annotator stands in a project's qualification or training. */
export interface Practice {
  purpose: "qualification" | "training";
  /** The task being served (1-based), or how many are done. */
  position: number;
  total: number;
  attempt: number;
  /** Attempts allowed (qualification). */
  attempts: number;
  state: "in_progress" | "passed" | "failed" | "done";
  /** The mean score so far, or the final one (0..1). */
  score: number | null;
  /** The score to pass (qualification). */
  needed: number;
}

/** Shown after a training task, and after a gold task when the project shows gold feedback. */
export interface Feedback {
  purpose: "gold" | "training";
  score: number;
  questions: { [question: string]: number };
  expected: JsonObject;
  explanation: string;
}

export interface Annotation {
  id: number;
  task_id: number;
  project_id: number;
  /** The author's email: one's own, or any for managers and admins; else null. */
  annotator: string | null;
  annotator_name: string;
  result: JsonObject;
  seconds: number;
  version: number;
  /** null: not sent to review; pending; accepted or fixed (locked); rejected (to rework). */
  review_state: ReviewState | null;
  /** The caller may still change it (their own, not accepted or fixed in review). */
  editable: boolean;
  created_at: string;
  updated_at: string;
}

export type ReviewState = "pending" | "accepted" | "fixed" | "rejected";
export type Decision = "accept" | "fix" | "reject";

/** A reviewer's comment, about one question (and, on span questions, one span). */
export interface ReviewComment {
  question: string;
  text: string;
  span?: { start: number; end: number } | null;
}

/** One round of review of an annotation. */
export interface Review {
  id: number;
  project_id: number;
  annotation_id: number;
  /** 1 for the first review; one more after each resubmission. */
  round: number;
  /** Why it is reviewed: all, share, first or resubmitted. */
  reason: string;
  state: "open" | "decided";
  decision: Decision | null;
  /** Who holds it (open) or decided it. */
  reviewer_name: string | null;
  author_name: string;
  /** The author's email, for managers and admins. */
  author: string | null;
  version: number | null;
  fix_version: number | null;
  comment: string;
  comments: ReviewComment[];
  /** Checklist items failed, as they read when decided. */
  failed: ChecklistItem[];
  created_at: string;
  expires_at: string | null;
  decided_at: string | null;
}

/** `GET /annotations/{id}/reviews`: each round, with a fix's changes. */
export interface ReviewWithChanges extends Review {
  before: JsonObject | null;
  after: JsonObject | null;
  changed: string[];
}

/** `POST /projects/{id}/reviews/next`: everything null when nothing waits for the caller. */
export interface NextReview {
  review: Review | null;
  annotation: Annotation | null;
  task: Task | null;
}

export interface DecisionBody {
  decision: Decision;
  /** The annotation's version looked at (409 `annotation_changed` if the author changed it since). */
  version: number;
  result?: JsonObject;
  comment?: string;
  comments?: ReviewComment[];
  /** Ids of the checklist items the annotation failed (fix or reject). */
  failed?: string[];
}

export interface ReworkItem {
  annotation: Annotation;
  review: Review;
}

/** `GET /projects/{id}/reviews/summary`: per annotator. */
export interface ReviewCounts {
  annotator_name: string;
  annotator: string | null;
  submitted: number;
  /** By reason: first, share, all, resubmitted. */
  sent_to_review: Record<string, number>;
  decisions: Partial<Record<Decision, number>>;
  open: number;
}

export interface ReviewPage {
  items: Review[];
  next_after: number | null;
}

export interface Prediction {
  model_version: string;
  score: number | null;
  result: JsonObject;
}

/** Someone passed on a task. `email` is null unless the caller manages the project (or it is theirs). */
export interface Skip {
  user_id: number;
  name: string;
  email: string | null;
  reason: string;
  at: string;
}

export interface TaskDetail {
  task: Task;
  annotations: Annotation[];
  predictions: Prediction[];
  draft: Draft | null;
  /** Everyone's for managers and reviewers; annotators see their own. */
  skips: Skip[];
}

/** `GET /projects/{id}/skips/mine`: the caller's skips, newest first. */
export interface MySkip {
  id: number;
  task_id: number;
  external_id: string | null;
  reason: string;
  at: string;
}

export interface MySkipsPage {
  items: MySkip[];
  next_before: number | null;
}

/** `POST /projects/{id}/tasks/delete` (at most 1,000 ids a call). */
export interface TasksDeleted {
  deleted: number;
  task_ids: number[];
  annotations: number;
  /** Ids that were no task of the project (deleted already). */
  missing: number[];
}

export interface Submitted {
  /** null for a qualification or training task (practice answers are not annotations). */
  annotation: Annotation | null;
  feedback?: Feedback | null;
  practice?: Practice | null;
  next: Lease | null;
  /** Warn-level checks the accepted answer fails (docs/checks.md). */
  warnings?: SubmitWarning[];
}

/** A warn-level check an accepted answer fails: where, which check, and why. */
export interface SubmitWarning {
  path: string;
  check: string;
  message: string;
}

export interface MyWorkPage {
  items: Annotation[];
  next_before: number | null;
}

export interface Skipped {
  task_id: number;
  skipped: boolean;
}

/** One problem the server found in a request, e.g. `{path: "result.why.text", message}`. */
export interface Problem {
  path: string;
  message: string;
}

export type QueueOrder = "sequential" | "random" | "priority" | "uncertainty" | "disagreement";
/** How the active learning orders measure a prediction's uncertainty (docs/active_learning.md). */
export type UncertaintyMeasure = "least_confident" | "margin" | "entropy";

/** `POST /projects`: the interface goes as the YAML/JSON text the manager wrote. */
export interface ProjectCreate {
  name: string;
  interface: string | JsonObject;
  description?: string;
  guidelines?: string;
  overlap?: number;
  lease_seconds?: number;
  order?: QueueOrder;
  uncertainty_measure?: UncertaintyMeasure;
  diversity?: boolean;
  review_share?: number;
  review_first?: number;
  review_below_confidence?: number;
  review_disagreements?: boolean;
  checklist?: ChecklistItemIn[];
  review_below_gold?: number;
  review_faster_than?: number;
  gold_rate?: number;
  gold_feedback?: boolean;
  gold_pause_below?: number;
  gold_pause_min?: number;
  qualification_pass?: number;
  qualification_attempts?: number;
  consensus_method?: string;
  agreement_threshold?: number;
  max_overlap?: number;
}

export type Severity = "minor" | "major" | "critical";

export interface ChecklistItem {
  id: string;
  text: string;
  severity: Severity;
  /** The anchor of a guideline section this item refers to (docs/guidelines.md). */
  guideline?: string | null;
}

/** An item as sent: without `id`, the server makes one from the text. */
export interface ChecklistItemIn {
  id?: string;
  text: string;
  severity: Severity;
}

/** `GET /projects/{id}/reviews/checklist?by=…`: one item's failures for one annotator or period. */
export interface ChecklistFailures {
  item: string;
  text: string;
  severity: Severity;
  annotator_name: string | null;
  annotator: string | null;
  period: string | null;
  failures: number;
}

export type ProjectChange = Partial<ProjectCreate>;

/** One item of a 409 `interface_orphans` refusal's `details`. */
export interface Orphans {
  kind: "annotations" | "predictions" | "tasks";
  /** The question or field. */
  name: string;
  reason: string;
  count: number;
  /** The first ids (annotation, prediction or task ids, as `kind` says). */
  ids: number[];
}

export type MemberRole = "manager" | "reviewer" | "annotator";

export interface Member {
  user_id: number;
  /** null for other people unless the caller manages the project. */
  email: string | null;
  name: string;
  role: MemberRole;
  created_at: string;
  /** Set while the member may not take work (managers and the member see it). */
  paused_at?: string | null;
  pause_reason?: string;
}

export type TaskStatus = Task["status"];
export type TaskSort = "id" | "-id" | "annotations" | "-annotations";

/** The data manager's filters (`GET /projects/{id}/tasks`). */
export interface TaskFilter {
  status?: TaskStatus | null;
  /** An annotator's email. */
  annotator?: string | null;
  /** Text in the task's data. */
  q?: string | null;
  question?: string | null;
  value?: string | null;
  /** Only tasks someone skipped. */
  skipped?: boolean;
  sort?: TaskSort;
}

/** A row of the data manager: a task and how many people skipped it. */
export interface TaskRow extends Task {
  skips: number;
}

export interface TaskPage {
  items: TaskRow[];
  /** Tasks matching the filters, in all. */
  total: number;
  next_after: number | null;
}

export interface AnnotationVersion {
  version: number;
  result: JsonObject;
  seconds: number;
  created_at: string;
}

export type ImportFormat = "jsonl" | "json" | "csv" | "tsv";

/** An image dataset the import endpoint reads itself (a COCO JSON, or a zip of any of the
 * three, which may hold its images: `src/accord/actions/image_imports.py`). */
export type DatasetFormat = "coco" | "yolo" | "voc";

/** A video or audio dataset the import endpoint takes as a zip holding its media
 * (`src/accord/actions/media_dataset_imports.py`; docs/video.md, docs/audio.md). */
export type MediaDatasetFormat = "mot" | "cvat-video" | "ytvis" | "coco-video" | "rttm" | "vtt" | "srt";

/** What a video or audio dataset zip held (the report's `media_dataset`; a job's result has
 * it as `dataset`), as `accord import` reports it. One of `sequences` (mot), `videos`
 * (cvat-video, ytvis, coco-video) or `recordings` (rttm, vtt, srt) is there. */
export interface MediaDatasetReport {
  /** The dataset's format (from the job's params), for the wording of `skipped`. */
  format: MediaDatasetFormat | null;
  sequences?: number;
  videos?: number;
  recordings?: number;
  /** Media stored anew (the others were in the project's media already). */
  uploaded: number;
  /** mot: videos made from a sequence's frames; the gt rows read, those with conf 0 left
   * out, boxes clipped to the picture or left out wholly outside it. */
  encoded?: number;
  rows?: number;
  ignored?: number;
  clipped?: number;
  outside?: number;
  tracks?: number;
  keyframes?: number;
  /** What no question takes, how many of each: `"label (shape)"`, `"attribute NAME"`, a
   * phrase with `": "` (videos); RTTM names or WebVTT voices (recordings). */
  skipped: Record<string, number>;
}

/** A bad row of an import: in the report, or in a 422 refusal's `details.errors`. */
export interface RowError {
  line: number;
  field: string | null;
  message: string;
}

export interface ImportReport {
  import_id: number | null;
  created: number;
  duplicates: number;
  skipped: number;
  predictions: number;
  /** Tasks imported with a known answer (gold, qualification or training). */
  gold: number;
  errors: RowError[];
  duplicate_ids: string[];
  /** For an image dataset (coco, yolo, voc) the server read: what it held. */
  dataset?: DatasetReport | null;
  /** For a video or audio dataset zip (mot, cvat-video, ytvis, coco-video, rttm, vtt, srt). */
  media_dataset?: MediaDatasetReport | null;
  /** With a source (`source=NAME`): predictions made the source's submitted annotations,
   * and the tasks left with their prediction (the first of them, with why). */
  source?: string | null;
  annotations?: number;
  left_as_predictions?: number;
  left_tasks?: { task_id: number; id: string | null; reason: string }[];
}

export interface DatasetReport {
  /** Images the dataset names (one task each). */
  images: number;
  /** Shapes left out, by label no question offers. */
  skipped_labels: Record<string, number>;
  /** Images the zip held that the dataset names (stored into the project's media), and of
   * those how many were new there. */
  from_zip?: number;
  new_from_zip?: number;
  /** Images in the zip the dataset does not name (left out), and the first of them. */
  unnamed_in_zip?: number;
  unnamed_examples?: string[];
}

/** The formats for training code (docs/training_exports.md). */
export type TrainingFormat = "trl-sft" | "trl-preference" | "trl-kto" | "reward-pairs" | "openai-ft" | "hf-parquet" | "conll" | "spacy";
/** Video tracks and events, and audio segments and transcripts (docs/video.md, docs/audio.md). */
export type MediaFormat = "mot" | "cvat-video" | "ytvis" | "coco-video" | "events_csv" | "events_json" | "rttm" | "vtt" | "srt";
/** jsonl, csv; for image projects coco (one JSON), yolo or voc (zips); Label Studio's JSON; the
 * video and audio formats; the training formats. */
export type ExportFormat = "jsonl" | "csv" | "coco" | "yolo" | "voc" | "labelstudio" | MediaFormat | TrainingFormat;

/** What a training format's export writes and leaves out (`report=true`). */
export interface TrainingReport {
  records: number;
  answers: number;
  skipped: Record<string, number>;
  problems: { task_id: number; annotation_id?: number | null; reason: string; detail: string }[];
  problems_left_out: number;
}

export interface ExportFilter {
  format: ExportFormat;
  status?: TaskStatus | null;
  annotator?: string | null;
  /** ISO date-times. */
  since?: string | null;
  until?: string | null;
  /** Add each task's consensus per question and its adjudicated answer. */
  consensus?: boolean | null;
  /** Gold standard: one row per complete task with only its final answer (no filters). */
  final?: boolean | null;
  /** COCO, YOLO, VOC: bundle the images into a zip. */
  with_media?: boolean | null;
  /** Training formats: only annotations a reviewer accepted or fixed. */
  reviewed?: boolean | null;
  /** mot, rttm, vtt, srt: the one question the file holds. */
  question?: string | null;
}

export type JobKind = "import" | "export" | "consensus" | "metrics" | "bucket_sync" | "llm" | "labelstudio_import" | "ml_predict" | "ml_train";
export type JobState = "queued" | "running" | "succeeded" | "failed" | "cancelled";
/** What a job's `done` and `total` count. */
export type JobUnit =
  | "bytes"
  | "tasks"
  | "rows"
  | "questions"
  | "steps"
  | "annotations"
  | "files"
  | "images"
  | "lines"
  | "objects"
  | "recordings"
  | "texts"
  | "videos";

export interface JobLogLine {
  at: string;
  message: string;
}

/** A background job (`src/accord/api/jobs.py`): its state, progress, log and result. */
export interface Job {
  id: number;
  project_id: number;
  kind: JobKind;
  state: JobState;
  /** What it is doing now, for a person ("checking and staging rows"). */
  phase: string;
  done: number;
  /** Units in all, when known. */
  total: number | null;
  unit: JobUnit;
  percent: number | null;
  /** Units per second since it started. */
  rate: number | null;
  /** Seconds left at that rate, when known. */
  eta_seconds: number | null;
  /** What it was asked to do (an import: format, filename, skip_invalid, size; an export: its filters). */
  params: JsonObject;
  /** Times a worker started it (a retry counts again). */
  attempts: number;
  /** Attempts it may have before it fails. */
  max_attempts: number;
  cancel_requested: boolean;
  /** Email of who started it (null: the system). */
  created_by: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** Why it failed, if it did. */
  error: string | null;
  /** What went wrong along the way, oldest first. */
  log: JobLogLine[];
  /** An import's report (`ImportReport`), an export's file (`ExportFile`); a refused import's
   * `{details: {errors, bad_lines}}`; other kinds their own figures. */
  result: JsonObject | null;
  /** A finished export's file: a link that redirects to a short-lived signed one (null once
   * the file expired). */
  download_url: string | null;
  /** A finished export's file: when it is (or was) deleted (`ACCORD_EXPORT_KEEP_HOURS`). */
  file_expires_at?: string | null;
  /** A finished export's file was deleted: run the export again. */
  file_expired?: boolean;
}

export interface JobList {
  jobs: Job[];
}

/** The result of a finished export job. */
export interface ExportFile {
  key: string;
  storage: string;
  bytes: number;
  format: ExportFormat;
  filename: string;
  /** Tasks written (JSON Lines only). */
  tasks?: number;
}

/** `POST /projects/{id}/exports`: the same filters as the streamed export. */
export interface ExportJobBody {
  format: ExportFormat;
  status: TaskStatus | null;
  annotator: string | null;
  since: string | null;
  until: string | null;
  consensus: boolean;
  final: boolean;
  spreadsheet_safe: boolean;
  /** COCO, YOLO, VOC: bundle the images into a zip. */
  with_media?: boolean;
  /** Training formats: only annotations a reviewer accepted or fixed. */
  reviewed?: boolean;
  /** mot, rttm, vtt, srt: the one question the file holds (needed when several suit). */
  question?: string | null;
}
