import { useId, useMemo, useState } from "react";
import { api, type ExportFormat, type ExportJobBody, type Project, type TaskStatus } from "../../api";
import { parseInterface } from "../../editor/interface";
import { useLoad } from "../../ui/useLoad";
import { imageSchemaOf } from "./imageSchema";
import { BackgroundExport } from "./jobs/BackgroundExport";
import { ManageLayout } from "./ManageLayout";

const FORMATS: { value: ExportFormat; label: string; what: string }[] = [
  { value: "jsonl", label: "JSON Lines", what: "one task per line with its data and every annotation, as stored" },
  { value: "csv", label: "CSV", what: "one row per annotation, a column per question (the kinds' CSV cells)" },
];

/** For projects with shape questions over an image field: one set of shapes per image. */
const IMAGE_FORMATS: { value: ExportFormat; label: string; what: string }[] = [
  { value: "coco", label: "COCO", what: "one instances JSON: boxes, polygons, RLE masks and keypoints with their categories and image sizes" },
  { value: "yolo", label: "YOLO", what: "a zip of data.yaml and one label file per image (boxes, oriented boxes, polygons, poses)" },
  { value: "voc", label: "Pascal VOC", what: "a zip of one XML file per image (boxes, polygons)" },
];

const isImageFormat = (format: ExportFormat): boolean => IMAGE_FORMATS.some((f) => f.value === format);

/** The download's name, as the server writes it. */
export function exportLabel(format: ExportFormat, withMedia: boolean): string {
  const label = [...FORMATS, ...IMAGE_FORMATS].find((f) => f.value === format)?.label ?? format;
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
  { value: "final", label: "Gold standard", what: "one row per complete task with only its final answer: adjudicated, else the consensus (filters do not apply)" },
];

type Content = "annotations" | "consensus" | "final";

function ExportForm({ project }: { project: Project }) {
  const id = useId();
  const [content, setContent] = useState<Content>("annotations");
  const final = content === "final";
  const [format, setFormat] = useState<ExportFormat>("jsonl");
  const [withMedia, setWithMedia] = useState(false);
  const shapes = useMemo(() => typeof imageSchemaOf(parseInterface(project.interface)) !== "string", [project.interface]);
  const image = isImageFormat(format);
  const formats = shapes ? [...FORMATS, ...IMAGE_FORMATS] : FORMATS;
  const [status, setStatus] = useState<TaskStatus | "">("");
  const [annotator, setAnnotator] = useState("");
  const [since, setSince] = useState("");
  const [until, setUntil] = useState("");
  const [members] = useLoad(() => api.members.list(project.id), `members:${project.id}`);
  const emails = members.status === "ready" ? members.value.flatMap((m) => (m.email ? [m.email] : [])) : [];
  const unknown = annotator.trim() !== "" && members.status === "ready" && !emails.includes(annotator.trim().toLowerCase());
  const media = image && withMedia;
  const url = final
    ? api.exports.url(project.id, { format, final: true, with_media: media })
    : api.exports.url(project.id, {
        format,
        with_media: media,
        status: status || null,
        annotator: annotator.trim() || null,
        since: toInstant(since),
        until: toInstant(until),
        consensus: content === "consensus" && !image,
      });
  const body: ExportJobBody = {
    format,
    status: final ? null : status || null,
    annotator: final ? null : annotator.trim() || null,
    since: final ? null : toInstant(since),
    until: final ? null : toInstant(until),
    consensus: content === "consensus" && !image,
    final,
    spreadsheet_safe: true,
    with_media: media,
  };
  const { progress } = project;

  return (
    <div className="export">
      <fieldset className="export-formats">
        <legend className="form-label">Format</legend>
        {formats.map((f) => (
          <label key={f.value} className="radio">
            <input
              type="radio"
              name={`${id}-format`}
              value={f.value}
              checked={format === f.value}
              onChange={() => {
                setFormat(f.value);
                if (isImageFormat(f.value) && content === "consensus") setContent("annotations");
              }}
              data-export-format={f.value}
            />
            <span>
              <strong>{f.label}</strong> <span className="muted small">— {f.what}</span>
            </span>
          </label>
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
              disabled={image && c.value === "consensus"}
              onChange={() => setContent(c.value)}
              data-export-content={c.value}
            />
            <span>
              <strong>{c.label}</strong>{" "}
              <span className="muted small">— {image && c.value === "consensus" ? "not for COCO, YOLO or VOC, which hold one set of shapes per image" : c.what}</span>
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
          Download {exportLabel(format, media)}
        </a>
        <code className="export-url small">{url}</code>
      </p>
      <p className="muted small">The file is written as it downloads, so even a large project starts at once.</p>
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
