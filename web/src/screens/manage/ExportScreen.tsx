import { useId, useMemo, useState } from "react";
import { api, type ExportFormat, type ExportJobBody, type Project, type TaskStatus, type TrainingReport } from "../../api";
import { parseInterface } from "../../editor/interface";
import { Notice } from "../../ui/Notice";
import { useLoad } from "../../ui/useLoad";
import { messageOf } from "./errors";
import { imageSchemaOf } from "./imageSchema";
import { BackgroundExport } from "./jobs/BackgroundExport";
import { ManageLayout } from "./ManageLayout";
import { AUDIO_FORMATS, mediaContentRefusal, mediaOffersOf, questionOf, VIDEO_FORMATS, type MediaOffer } from "./mediaFormats";
import { QuestionChoice } from "./QuestionChoice";

const FORMATS: { value: ExportFormat; label: string; what: string }[] = [
  { value: "jsonl", label: "JSON Lines", what: "one task per line with its data and every annotation, as stored" },
  { value: "csv", label: "CSV", what: "one row per annotation, a column per question (the kinds' CSV cells)" },
  { value: "labelstudio", label: "Label Studio JSON", what: "to load back into Label Studio, with the labeling config below" },
];

/** For training code (docs/training_exports.md): each needs the questions it is made from. */
const TRAINING_FORMATS: { value: ExportFormat; label: string; what: string }[] = [
  { value: "trl-sft", label: "TRL SFT", what: "messages: a prompt and a response (a text question or field)" },
  { value: "trl-preference", label: "TRL preference (DPO)", what: "prompt, chosen, rejected: from a pairwise or ranking question" },
  { value: "trl-kto", label: "TRL KTO", what: "prompt, completion, label: from a rating or choice question" },
  { value: "reward-pairs", label: "Reward-model pairs", what: "as preference, with a margin" },
  { value: "openai-ft", label: "OpenAI fine-tuning", what: "chat JSONL, as SFT" },
  { value: "hf-parquet", label: "Hugging Face Parquet", what: "every field and question, typed, for datasets.load_dataset" },
  { value: "conll", label: "CoNLL (IOB2)", what: "a spans question over a text field" },
  { value: "spacy", label: "spaCy DocBin", what: "a spans question over a text field (a zip of .spacy files)" },
];

const isTraining = (format: ExportFormat): boolean => TRAINING_FORMATS.some((f) => f.value === format);

/** For projects with shape questions over an image field: one set of shapes per image. */
const IMAGE_FORMATS: { value: ExportFormat; label: string; what: string }[] = [
  { value: "coco", label: "COCO", what: "one instances JSON: boxes, polygons, RLE masks and keypoints with their categories and image sizes" },
  { value: "yolo", label: "YOLO", what: "a zip of data.yaml and one label file per image (boxes, oriented boxes, polygons, poses)" },
  { value: "voc", label: "Pascal VOC", what: "a zip of one XML file per image (boxes, polygons)" },
];

const isImageFormat = (format: ExportFormat): boolean => IMAGE_FORMATS.some((f) => f.value === format);

/** The download's name, as the server writes it. */
export function exportLabel(format: ExportFormat, withMedia: boolean): string {
  const label = [...FORMATS, ...IMAGE_FORMATS, ...VIDEO_FORMATS, ...AUDIO_FORMATS, ...TRAINING_FORMATS].find((f) => f.value === format)?.label ?? format;
  return isImageFormat(format) && withMedia ? `${label} with the images (zip)` : label;
}

/** `/projects/:id/export`: choose a format and filters; the link downloads the file, or a
 * background job writes it into the server's storage (followed here) to download later. */
export function ExportScreen({ projectId }: { projectId: number }) {
  return (
    <ManageLayout projectId={projectId}>
      {(project) => (
        <div className="manage-page manage-narrow">
          <h1>Export</h1>
          <ExportForm project={project} />
        </div>
      )}
    </ManageLayout>
  );
}

/** `datetime-local` text (the browser's local time) → an ISO instant for the server. */
export function toInstant(local: string): string | null {
  if (!local) return null;
  const when = new Date(local);
  return Number.isNaN(when.getTime()) ? null : when.toISOString();
}

const CONTENTS: { value: Content; label: string; what: string }[] = [
  { value: "annotations", label: "Annotations", what: "every annotation as submitted" },
  { value: "consensus", label: "Annotations and consensus", what: "plus, per task and question, the consensus, its confidence and agreement, and the adjudicated answer" },
  { value: "reviewed", label: "Reviewed only", what: "annotations a reviewer accepted or fixed (a fix's answer); training formats" },
  { value: "final", label: "Gold standard", what: "one row per complete task with only its final answer: adjudicated, else the consensus (filters do not apply)" },
];

type Content = "annotations" | "consensus" | "reviewed" | "final";

/** Why a content choice does not go with the format (null: it does). */
function contentRefusal(content: Content, image: boolean, training: boolean, format: ExportFormat): string | null {
  if (content === "consensus" && image) return "not for COCO, YOLO or VOC, which hold one set of shapes per image";
  if (content === "consensus" && training) return "not with a training format: take the gold standard";
  if (content === "consensus" && format === "labelstudio") return "not in Label Studio's format, which has no such answers";
  if (content === "reviewed" && !training) return "with a training format";
  return mediaContentRefusal(content, format);
}

function ExportForm({ project }: { project: Project }) {
  const id = useId();
  const [content, setContent] = useState<Content>("annotations");
  const final = content === "final";
  const [format, setFormat] = useState<ExportFormat>("jsonl");
  const [withMedia, setWithMedia] = useState(false);
  const iface = useMemo(() => parseInterface(project.interface), [project.interface]);
  const shapes = useMemo(() => typeof imageSchemaOf(iface) !== "string", [iface]);
  const media = useMemo(() => mediaOffersOf(iface), [iface]);
  const image = isImageFormat(format);
  const training = isTraining(format);
  const formats = [...FORMATS, ...(shapes ? IMAGE_FORMATS : [])];
  const offer: MediaOffer | undefined = [...media.video, ...media.audio].find((o) => o.format.value === format);
  const [chosenQuestion, setChosenQuestion] = useState("");
  const question = questionOf(offer, chosenQuestion);
  const [status, setStatus] = useState<TaskStatus | "">("");
  const [annotator, setAnnotator] = useState("");
  const [since, setSince] = useState("");
  const [until, setUntil] = useState("");
  const [members] = useLoad(() => api.members.list(project.id), `members:${project.id}`);
  const emails = members.status === "ready" ? members.value.flatMap((m) => (m.email ? [m.email] : [])) : [];
  const unknown = annotator.trim() !== "" && members.status === "ready" && !emails.includes(annotator.trim().toLowerCase());
  const bundled = image && withMedia;
  const url = final
    ? api.exports.url(project.id, { format, final: true, with_media: bundled, question })
    : api.exports.url(project.id, {
        format,
        with_media: bundled,
        status: status || null,
        annotator: annotator.trim() || null,
        since: toInstant(since),
        until: toInstant(until),
        consensus: content === "consensus" && !image,
        reviewed: content === "reviewed" && training,
        question,
      });
  const filter = {
    format,
    final,
    reviewed: content === "reviewed" && training,
    status: final ? null : status || null,
    annotator: final ? null : annotator.trim() || null,
    since: final ? null : toInstant(since),
    until: final ? null : toInstant(until),
  };
  const body: ExportJobBody = {
    format,
    status: final ? null : status || null,
    annotator: final ? null : annotator.trim() || null,
    since: final ? null : toInstant(since),
    until: final ? null : toInstant(until),
    consensus: content === "consensus" && !image,
    final,
    spreadsheet_safe: true,
    with_media: bundled,
    ...(training ? { reviewed: content === "reviewed" } : {}),
    ...(question ? { question } : {}),
  };
  const { progress } = project;
  function pick(next: ExportFormat): void {
    setFormat(next);
    const nextImage = isImageFormat(next);
    const nextTraining = isTraining(next);
    if (contentRefusal(content, nextImage, nextTraining, next)) setContent("annotations");
  }

  return (
    <div className="export">
      <fieldset className="export-formats">
        <legend className="form-label">Format</legend>
        {formats.map((f) => (
          <FormatChoice key={f.value} name={`${id}-format`} format={f} checked={format === f.value} onPick={pick} />
        ))}
        {media.video.length ? <p className="form-label export-subhead">For video tools</p> : null}
        {media.video.map(({ format: f }) => (
          <FormatChoice key={f.value} name={`${id}-format`} format={f} checked={format === f.value} onPick={pick} />
        ))}
        {offer && question && media.video.includes(offer) ? <QuestionChoice offer={offer} value={question} onChange={setChosenQuestion} /> : null}
        {media.audio.length ? <p className="form-label export-subhead">For speech tools</p> : null}
        {media.audio.map(({ format: f }) => (
          <FormatChoice key={f.value} name={`${id}-format`} format={f} checked={format === f.value} onPick={pick} />
        ))}
        {offer && question && media.audio.includes(offer) ? <QuestionChoice offer={offer} value={question} onChange={setChosenQuestion} /> : null}
        <p className="form-label export-subhead">For training code</p>
        {TRAINING_FORMATS.map((f) => (
          <FormatChoice key={f.value} name={`${id}-format`} format={f} checked={format === f.value} onPick={pick} />
        ))}
        {shapes ? (
          <label className="checkbox export-media">
            <input type="checkbox" checked={withMedia} disabled={!image} onChange={(e) => setWithMedia(e.target.checked)} data-export-media="" />
            <span>
              Include the images <span className="muted small">— COCO, YOLO, VOC: a zip with every image, upright (its EXIF orientation applied)</span>
            </span>
          </label>
        ) : null}
      </fieldset>
      <fieldset className="export-formats">
        <legend className="form-label">Content</legend>
        {CONTENTS.map((c) => (
          <label key={c.value} className="radio">
            <input
              type="radio"
              name={`${id}-content`}
              value={c.value}
              checked={content === c.value}
              disabled={contentRefusal(c.value, image, training, format) !== null}
              onChange={() => setContent(c.value)}
              data-export-content={c.value}
            />
            <span>
              <strong>{c.label}</strong> <span className="muted small">— {contentRefusal(c.value, image, training, format) ?? c.what}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <fieldset className="export-filters" disabled={final}>
        <legend className="form-label">Filters (optional)</legend>
        <div className="form-grid">
          <div className="form-field">
            <label htmlFor={`${id}-status`} className="form-label">
              Task status
            </label>
            <select id={`${id}-status`} value={status} onChange={(e) => setStatus(e.target.value as TaskStatus | "")}>
              <option value="">Any ({progress.tasks.toLocaleString()})</option>
              <option value="new">New ({progress.new.toLocaleString()})</option>
              <option value="in_progress">In progress ({progress.in_progress.toLocaleString()})</option>
              <option value="complete">Complete ({progress.complete.toLocaleString()})</option>
            </select>
          </div>
          <div className="form-field">
            <label htmlFor={`${id}-annotator`} className="form-label">
              Annotator (email)
            </label>
            <input id={`${id}-annotator`} type="email" list={`${id}-emails`} value={annotator} onChange={(e) => setAnnotator(e.target.value)} placeholder="everyone" autoComplete="off" />
            <datalist id={`${id}-emails`}>
              {emails.map((email) => (
                <option key={email} value={email} />
              ))}
            </datalist>
            {unknown ? <span className="form-warning">Not a member of this project: the export will hold no annotations by this address.</span> : null}
          </div>
          <div className="form-field">
            <label htmlFor={`${id}-since`} className="form-label">
              Annotations updated from
            </label>
            <input id={`${id}-since`} type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} />
          </div>
          <div className="form-field">
            <label htmlFor={`${id}-until`} className="form-label">
              …and before
            </label>
            <input id={`${id}-until`} type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} />
          </div>
        </div>
        <p className="muted small">Times are in this browser's time zone ({Intl.DateTimeFormat().resolvedOptions().timeZone}).</p>
      </fieldset>
      <p className="export-go">
        <a className="button button-primary" href={url} download data-export-link="">
          Download {exportLabel(format, bundled)}
          {question ? ` (${question})` : ""}
        </a>
        <code className="export-url small">{url}</code>
      </p>
      <p className="muted small">The file is written as it downloads, so even a large project starts at once.</p>
      {training ? <TrainingCheck key={JSON.stringify(filter)} projectId={project.id} filter={filter} /> : null}
      {format === "labelstudio" ? (
        <p className="small">
          Load it in Label Studio with the project&apos;s labeling config:{" "}
          <a href={api.exports.labelStudioConfig(project.id)} download data-labelstudio-config="">
            Download the labeling config (XML)
          </a>{" "}
          (docs/labelstudio.md).
        </p>
      ) : null}
      {image ? (
        <p className="muted small">
          Each task is one image with the shapes of its latest annotation (with “Gold standard”, its final answer); a task without one is an image without
          objects. Points and polylines have no place in these formats; see docs/images.md.
        </p>
      ) : null}
      <BackgroundExport projectId={project.id} body={body} />
    </div>
  );
}

function FormatChoice({
  name,
  format,
  checked,
  onPick,
}: {
  name: string;
  format: { value: ExportFormat; label: string; what: string };
  checked: boolean;
  onPick: (format: ExportFormat) => void;
}) {
  return (
    <label className="radio">
      <input type="radio" name={name} value={format.value} checked={checked} onChange={() => onPick(format.value)} data-export-format={format.value} />
      <span>
        <strong>{format.label}</strong> <span className="muted small">— {format.what}</span>
      </span>
    </label>
  );
}

type Check = { state: "idle" } | { state: "checking" } | { state: "done"; report: TrainingReport } | { state: "refused"; message: string };

/** A training format: what the export would write and leave out, asked of the server (no file). */
function TrainingCheck({ projectId, filter }: { projectId: number; filter: Parameters<typeof api.exports.report>[1] }) {
  const [check, setCheck] = useState<Check>({ state: "idle" });
  async function run(): Promise<void> {
    setCheck({ state: "checking" });
    try {
      setCheck({ state: "done", report: await api.exports.report(projectId, filter) });
    } catch (error) {
      setCheck({ state: "refused", message: messageOf(error) });
    }
  }
  return (
    <div className="export-check" data-training-check="">
      <p>
        <button type="button" onClick={() => void run()} disabled={check.state === "checking"}>
          {check.state === "checking" ? "Checking…" : "Check what it writes"}
        </button>{" "}
        <span className="muted small">the records it would write and every answer it would leave out, with why</span>
      </p>
      {check.state === "done" ? <CheckReport report={check.report} /> : null}
      {check.state === "refused" ? <Notice tone="error">{check.message}</Notice> : null}
    </div>
  );
}

function CheckReport({ report }: { report: TrainingReport }) {
  const skipped = Object.entries(report.skipped);
  return (
    <div className="small" role="status" data-training-report="">
      <p>
        <strong>{report.records.toLocaleString()}</strong> records from {report.answers.toLocaleString()} answers
        {skipped.length ? "; left out:" : "; nothing left out."}
      </p>
      {skipped.length ? (
        <ul>
          {skipped.map(([reason, n]) => (
            <li key={reason}>
              {n.toLocaleString()} {reason}
            </li>
          ))}
        </ul>
      ) : null}
      {report.problems.length ? (
        <details>
          <summary>Each one left out ({report.problems.length + report.problems_left_out})</summary>
          <ul>
            {report.problems.map((p, i) => (
              <li key={i}>
                task {p.task_id}
                {p.annotation_id ? `, annotation ${p.annotation_id}` : ""}: {p.reason}
                {p.detail ? `: ${p.detail}` : ""}
              </li>
            ))}
          </ul>
          {report.problems_left_out ? <p className="muted">…and {report.problems_left_out.toLocaleString()} more.</p> : null}
        </details>
      ) : null}
    </div>
  );
}
