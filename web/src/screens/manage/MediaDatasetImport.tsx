import { useId, useMemo, useState, type ReactNode } from "react";
import type { MediaDatasetFormat, Project } from "../../api";
import { parseInterface } from "../../editor/interface";
import { formatBytes } from "./jobs/format";
import { questionOf, questionsFor, questionText, type MediaOffer } from "./mediaFormats";
import { mediaImportCommand, mediaImportOffersOf, mediaImportTitle, ZIP_LAYOUTS } from "./mediaImports";
import { QuestionChoice } from "./QuestionChoice";
import "./images.css";
import "./mediaImport.css";

interface Props {
  project: Project;
  /** An import is running: the pickers wait. */
  busy: boolean;
  /** The source name the answers go to ("": predictions), for the command line. */
  source: string;
  /** Send the zip as a background import of ``format`` (into ``question`` for mot, rttm, vtt, srt). */
  onZip: (zip: File, format: MediaDatasetFormat, question: string | null) => void;
  /** The import's upload, job and report, once this section started it. */
  status: ReactNode;
}

/** "Import a video or audio dataset": a MOTChallenge, CVAT video, YouTube-VIS, COCO per frame,
 * RTTM, WebVTT or SRT dataset as one zip with its media, sent whole to the server, which
 * stores the videos or recordings and imports one task per video or recording as a job
 * (`src/accord/actions/media_dataset_imports.py`). Shown only for a project whose interface
 * takes one of them. */
export function MediaDatasetImport({ project, busy, source, onZip, status }: Props) {
  const id = useId();
  const iface = useMemo(() => parseInterface(project.interface), [project.interface]);
  const offers = useMemo(() => mediaImportOffersOf(iface), [iface]);
  const all = [...offers.video, ...offers.audio];
  const [chosen, setChosen] = useState<MediaDatasetFormat | null>(null);
  const [chosenQuestion, setChosenQuestion] = useState("");
  const [zip, setZip] = useState<File | null>(null);
  const offer = all.find((o) => o.format.value === chosen) ?? all[0];
  if (!offer) return null;
  const format = offer.format.value as MediaDatasetFormat;
  const question = questionOf(offer, chosenQuestion);

  return (
    <section className="image-import-part media-import" aria-labelledby={`${id}-title`} data-media-import="">
      <h2 id={`${id}-title`}>{mediaImportTitle(offers)}</h2>
      <p className="muted small">
        One zip holding the dataset and its {offers.video.length ? (offers.audio.length ? "videos or recordings" : "videos") : "recordings"}: the server
        stores each in the project&apos;s media and makes one task per {offers.video.length ? (offers.audio.length ? "video or recording" : "video") : "recording"},
        its {offers.video.length ? (offers.audio.length ? "tracks or segments" : "tracks") : "segments"} as a prediction (or as the named source&apos;s
        annotations, above). Importing the same zip again adds nothing twice.
      </p>
      <fieldset className="export-formats">
        <legend className="form-label">Dataset format</legend>
        <FormatRadios name={`${id}-format`} offers={offers.video} value={format} disabled={busy} onChange={setChosen} />
        <FormatRadios name={`${id}-format`} offers={offers.audio} value={format} disabled={busy} onChange={setChosen} />
      </fieldset>
      {question ? <QuestionChoice offer={offer} value={question} onChange={setChosenQuestion} disabled={busy} /> : <Questions offer={offer} names={questionsFor(iface, format).map(questionText)} />}
      <div className="drop-zone image-pickers">
        <input
          id={`${id}-zip`}
          className="visually-hidden"
          type="file"
          accept=".zip,application/zip"
          disabled={busy}
          onChange={(e) => setZip(e.target.files?.[0] ?? null)}
          aria-describedby={`${id}-layout`}
          data-pick-media-zip=""
        />
        <label htmlFor={`${id}-zip`} className="button">
          Choose the zip…
        </label>
        {zip ? (
          <p className="drop-file" data-media-zip-picked="">
            {zip.name} · {formatBytes(zip.size)}
          </p>
        ) : null}
      </div>
      <p id={`${id}-layout`} className="muted small" data-media-layout={format}>
        <strong>The zip holds</strong> {ZIP_LAYOUTS[format]} Videos and recordings already in the project&apos;s media are stored once. A problem (a bad line,
        a missing or unreadable file) refuses the whole import, naming the file by its path in the zip. Up to 4 GiB unpacked.
      </p>
      <p className="import-buttons">
        <button type="button" className="button-primary" disabled={busy || !zip} onClick={() => zip && onZip(zip, format, question)} data-import-media-zip="">
          Send the zip and import
        </button>
      </p>
      {status ? <div className="image-upload-status">{status}</div> : null}
      <details className="dataset-cli" data-media-cli={format}>
        <summary className="small">The same from a terminal</summary>
        <pre>
          <code>{mediaImportCommand(project.id, offer, question, source)}</code>
        </pre>
        <p className="muted small">
          With <code>ACCORD_URL={window.location.origin}</code> and a personal API token in <code>ACCORD_TOKEN</code>. The command reads the dataset&apos;s
          unpacked folder (unzip it first), uploads the media and imports the same tasks, with no size limit. See “Import” in docs/
          {offers.video.some((o) => o.format.value === format) ? "video.md" : "audio.md"}.
        </p>
      </details>
    </section>
  );
}

function FormatRadios({ name, offers, value, disabled, onChange }: { name: string; offers: MediaOffer[]; value: string; disabled: boolean; onChange: (format: MediaDatasetFormat) => void }) {
  return (
    <>
      {offers.map((o) => (
        <label key={o.format.value} className="radio">
          <input
            type="radio"
            name={name}
            value={o.format.value}
            checked={value === o.format.value}
            disabled={disabled}
            onChange={() => onChange(o.format.value as MediaDatasetFormat)}
            data-media-format={o.format.value}
          />
          <span>
            {o.format.label} <span className="muted small">({o.format.value})</span>
          </span>
        </label>
      ))}
    </>
  );
}

/** cvat-video, ytvis, coco-video: the questions the dataset's tracks go to (each track to the
 * first of its shape offering its label). */
function Questions({ offer, names }: { offer: MediaOffer; names: string[] }) {
  if (names.length === 0) return null;
  return (
    <p className="small export-question" data-media-questions="">
      {offer.format.label} tracks go to {names.length === 1 ? "the question" : "the questions"} <strong>{names.join(", ")}</strong>: each track to the first
      question of its shape that offers its label; tracks of another label or shape are left out and counted.
    </p>
  );
}
