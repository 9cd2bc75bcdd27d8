import { useId, useState, type ReactNode } from "react";
import type { Project } from "../../api";
import { cocoImageNames, cocoRows, readCoco, type CocoFile, type ImportRow, type Placed } from "./cocoRows";
import { jsonlFile, listed, matchNames, relativeName, type Picked } from "./imageFiles";
import type { ImageSchema } from "./imageSchema";
import { DatasetZip } from "./DatasetZip";
import { UploadStatus } from "./UploadStatus";
import { folderInput, type ImageUpload } from "./useImageUpload";
import { readVoc, vocRows, type VocDataset } from "./vocRows";
import { readYolo, yoloImages, yoloRows, type YoloDataset } from "./yoloRows";

type Format = "coco" | "yolo" | "voc";

const FORMATS: { value: Format; label: string }[] = [
  { value: "coco", label: "COCO (instances JSON)" },
  { value: "yolo", label: "YOLO (data.yaml and label files)" },
  { value: "voc", label: "Pascal VOC (XML files)" },
];

interface Props {
  project: Project;
  /** The project's shape questions, or why it has none. */
  schema: ImageSchema | string;
  locked: boolean;
  upload: ImageUpload;
  /** The import's job and report, once the rows were handed over. */
  status: ReactNode;
}

/** "Import a COCO, YOLO or VOC dataset": read here, the images uploaded, the rows imported;
 * or one zip with its images, sent to the server (`DatasetZip`). */
export function DatasetImport({ project, schema, locked, upload, status }: Props) {
  const id = useId();
  const [format, setFormat] = useState<Format>("coco");
  return (
    <section className="image-import-part" aria-labelledby={`${id}-title`} data-dataset-import="">
      <h2 id={`${id}-title`}>Import a COCO, YOLO or VOC dataset</h2>
      {typeof schema === "string" ? (
        <p className="muted small">Not for this project: {schema}.</p>
      ) : (
        <>
          <p className="muted small">
            One task per image of the dataset (its file name as the task's id), with the dataset's shapes as predictions that annotators see as editable
            pre-filled shapes. Shapes whose label no question offers are left out and counted.
          </p>
          <fieldset className="export-formats">
            <legend className="form-label">Dataset format</legend>
            {FORMATS.map((f) => (
              <label key={f.value} className="radio">
                <input type="radio" name={`${id}-format`} value={f.value} checked={format === f.value} onChange={() => setFormat(f.value)} data-dataset-format={f.value} />
                <span>{f.label}</span>
              </label>
            ))}
          </fieldset>
          {format === "coco" ? <CocoPicker schema={schema} locked={locked} upload={upload} /> : null}
          {format === "yolo" ? <YoloPicker schema={schema} locked={locked} upload={upload} /> : null}
          {format === "voc" ? <VocPicker schema={schema} locked={locked} upload={upload} /> : null}
          <DatasetZip key={format} format={format} locked={locked} upload={upload} />
          <CommandLine projectId={project.id} format={format} />
          <UploadStatus upload={upload} origin="dataset" status={status} />
        </>
      )}
    </section>
  );
}

function CocoPicker({ schema, locked, upload }: { schema: ImageSchema; locked: boolean; upload: ImageUpload }) {
  const id = useId();
  const [annotations, setAnnotations] = useState<File | null>(null);
  const [files, setFiles] = useState<File[]>([]);
  const folder = files[0] ? (relativeName(files[0]).split("/").length > 1 ? relativeName(files[0]).split("/")[0] : null) : null;

  function start(): void {
    if (!annotations) return;
    let coco: CocoFile | null = null;
    void upload.run(
      "dataset",
      async () => {
        coco = readCoco(await annotations.text(), annotations.name);
        const picked: Picked[] = files.map((file) => ({ name: relativeName(file), file }));
        const { found, missing } = matchNames(cocoImageNames(coco), picked);
        if (missing.length)
          throw new Error(
            `${missing.length.toLocaleString()} of the dataset's ${(found.length + missing.length).toLocaleString()} images are not among the picked files${folder ? ` (folder ${folder})` : ""}: ${listed(missing)}. Pick the folder that holds them; nothing was uploaded or imported.`,
          );
        // Every annotation is read once before anything is uploaded: a bad one stops here.
        const dry = new Map<string, Placed>(found.map((f) => [f.name, { src: "", width: 1, height: 1 }]));
        cocoRows(coco, schema, dry);
        return found;
      },
      ({ placed, stored }) => {
        if (!coco) throw new Error("the dataset was not read");
        const { rows, skipped } = cocoRows(coco, schema, placed);
        return datasetRows(rows, skipped, placed.size, stored, `${annotations.name.replace(/\.json$/i, "")}.jsonl`);
      },
    );
  }

  return (
    <>
      <div className="drop-zone image-pickers">
        <label htmlFor={`${id}-ann`} className="button">
          Choose the COCO file…
        </label>
        <input id={`${id}-ann`} className="visually-hidden" type="file" accept=".json,application/json" disabled={locked} onChange={(e) => setAnnotations(e.target.files?.[0] ?? null)} data-pick-coco="" />
        <label htmlFor={`${id}-folder`} className="button">
          Choose its images folder…
        </label>
        <input id={`${id}-folder`} ref={folderInput} className="visually-hidden" type="file" multiple disabled={locked} onChange={(e) => setFiles([...(e.target.files ?? [])])} data-pick-dataset-folder="" />
        <span className="muted small">or</span>
        <label htmlFor={`${id}-files`} className="button">
          Choose its images…
        </label>
        <input id={`${id}-files`} className="visually-hidden" type="file" multiple accept="image/*,.tif,.tiff" disabled={locked} onChange={(e) => setFiles([...(e.target.files ?? [])])} data-pick-dataset-images="" />
        {annotations || files.length ? (
          <p className="drop-file" data-dataset-picked="">
            {annotations ? annotations.name : "No COCO file yet"} · {files.length.toLocaleString()} file{files.length === 1 ? "" : "s"}
            {folder ? ` in ${folder}/` : ""}
          </p>
        ) : null}
      </div>
      <p className="muted small">
        The COCO file's <code>file_name</code>s are looked for inside the picked folder (<code>train/0001.jpg</code> in a folder <code>images/</code> is{" "}
        <code>images/train/0001.jpg</code>).
      </p>
      <p className="import-buttons">
        <button type="button" className="button-primary" disabled={locked || !annotations || files.length === 0} onClick={start} data-import-coco="">
          Upload and import the dataset
        </button>
      </p>
    </>
  );
}

function YoloPicker({ schema, locked, upload }: { schema: ImageSchema; locked: boolean; upload: ImageUpload }) {
  const id = useId();
  const [files, setFiles] = useState<File[]>([]);
  const folder = files[0] ? relativeName(files[0]).split("/")[0] : null;

  function start(): void {
    let dataset: YoloDataset<File> | null = null;
    void upload.run(
      "dataset",
      async () => {
        dataset = await readYolo(files.map((file) => ({ name: relativeName(file), file })));
        const images = yoloImages(dataset);
        // Every label file is read once before anything is uploaded: a bad line stops here.
        await yoloRows(dataset, schema, new Map(images.map((i) => [i.name, { src: "", width: 1, height: 1 }])));
        return images;
      },
      async ({ placed, stored }) => {
        if (!dataset) throw new Error("the dataset was not read");
        const { rows, skipped } = await yoloRows(dataset, schema, placed);
        return datasetRows(rows, skipped, placed.size, stored, "yolo.jsonl");
      },
    );
  }

  return (
    <FolderPicker kind="yolo" id={id} files={files} setFiles={setFiles} folder={folder} locked={locked} onStart={start}>
      <p className="muted small">
        The folder that holds <code>data.yaml</code> with the images and labels below its <code>path</code> (Ultralytics' layout: <code>images/train/…</code> and{" "}
        <code>labels/train/…</code>); a <code>path</code> leading out of the folder is read as the folder itself. Boxes, oriented boxes, polygons and poses.
      </p>
    </FolderPicker>
  );
}

function VocPicker({ schema, locked, upload }: { schema: ImageSchema; locked: boolean; upload: ImageUpload }) {
  const id = useId();
  const [files, setFiles] = useState<File[]>([]);
  const folder = files[0] ? relativeName(files[0]).split("/")[0] : null;

  function start(): void {
    let dataset: VocDataset<File> | null = null;
    const source = `voc:${folder ?? "files"}`;
    void upload.run(
      "dataset",
      async () => {
        dataset = await readVoc(files.map((file) => ({ name: relativeName(file), file })));
        // Every object is read once before anything is uploaded: a bad one stops here.
        vocRows(dataset, schema, new Map(dataset.images.map((i) => [i.name, { src: "", width: 1, height: 1 }])), source);
        return dataset.images;
      },
      ({ placed, stored }) => {
        if (!dataset) throw new Error("the dataset was not read");
        const { rows, skipped } = vocRows(dataset, schema, placed, source);
        return datasetRows(rows, skipped, placed.size, stored, "voc.jsonl");
      },
    );
  }

  return (
    <FolderPicker kind="voc" id={id} files={files} setFiles={setFiles} folder={folder} locked={locked} onStart={start}>
      <p className="muted small">
        The folder that holds <code>Annotations/*.xml</code> and <code>JPEGImages/</code> (or XML files with their images beside them). Boxes and polygons;
        each image's <code>filename</code> is the task's id.
      </p>
    </FolderPicker>
  );
}

/** The rows of a dataset as a JSON Lines file, and what to say about them. */
interface FolderPickerProps {
  kind: "yolo" | "voc";
  id: string;
  files: File[];
  setFiles: (files: File[]) => void;
  folder: string | null | undefined;
  locked: boolean;
  onStart: () => void;
  /** What the folder must hold. */
  children: ReactNode;
}

/** A dataset picked as one folder (YOLO, VOC): the picker, what was picked, and the start. */
function FolderPicker({ kind, id, files, setFiles, folder, locked, onStart, children }: FolderPickerProps) {
  return (
    <>
      <div className="drop-zone image-pickers">
        <label htmlFor={`${id}-folder`} className="button">
          Choose the dataset folder…
        </label>
        <input id={`${id}-folder`} ref={folderInput} className="visually-hidden" type="file" multiple disabled={locked} onChange={(e) => setFiles([...(e.target.files ?? [])])} {...{ [`data-pick-${kind}-folder`]: "" }} />
        {files.length ? (
          <p className="drop-file" data-dataset-picked="">
            {files.length.toLocaleString()} file{files.length === 1 ? "" : "s"}
            {folder ? ` in ${folder}/` : ""}
          </p>
        ) : null}
      </div>
      {children}
      <p className="import-buttons">
        <button type="button" className="button-primary" disabled={locked || files.length === 0} onClick={onStart} {...{ [`data-import-${kind}`]: "" }}>
          Upload and import the dataset
        </button>
      </p>
    </>
  );
}

function datasetRows(rows: ImportRow[], skipped: Map<string, number>, images: number, stored: number, filename: string): { file: File; note: string } {
  const left = [...skipped].map(([label, count]) => `${count.toLocaleString()} shape${count === 1 ? "" : "s"} of '${label}'`);
  const shapes = rows.filter((row) => "predictions" in row).length;
  return {
    file: jsonlFile(rows, filename),
    note:
      `Uploaded ${images.toLocaleString()} image${images === 1 ? "" : "s"} (${stored.toLocaleString()} new to the project's media); ` +
      `${shapes === 1 ? "1 image has" : `${shapes.toLocaleString()} images have`} shapes.` +
      (left.length ? ` Left out (no question offers the label): ${left.join(", ")}.` : ""),
  };
}

const COMMANDS: Record<Format, string> = {
  coco: "instances.json --format coco --media images/",
  yolo: "dataset/data.yaml --format yolo",
  voc: "VOC2012/ --format voc",
};

/** The same import from a terminal (for datasets too large for a browser tab). */
function CommandLine({ projectId, format }: { projectId: number; format: Format }) {
  return (
    <details className="dataset-cli" data-dataset-cli={format}>
      <summary className="small">The same from a terminal</summary>
      <pre>
        <code>{`accord import ${projectId} ${COMMANDS[format]} --wait`}</code>
      </pre>
      <p className="muted small">
        With <code>ACCORD_URL={window.location.origin}</code> and a personal API token in <code>ACCORD_TOKEN</code>; it reads the dataset, uploads its images and
        imports the same rows. A zip of the dataset with its images works too (<code>accord import {projectId} dataset.zip --format {format}</code>): it is
        unpacked on your machine and its images uploaded in batches, with no size limit. See “Import” in docs/images.md.
      </p>
    </details>
  );
}
