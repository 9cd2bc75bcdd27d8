import { useId, useState } from "react";
import type { DatasetFormat, DatasetReport } from "../../api";
import { listed } from "./imageFiles";
import { formatBytes } from "./jobs/format";
import type { ImageUpload } from "./useImageUpload";

/** Where the server looks in a zip, by format (src/accord/formats/datasets.py, bundled_images.py). */
const LAYOUTS: Record<DatasetFormat, string> = {
  coco:
    "One COCO .json at the zip's top or one folder down; each file_name below the JSON's folder, below images/ there, or below the images/ folder beside it (annotations/instances.json with images/, as Accord and CVAT export; Roboflow's images beside its JSON).",
  yolo: "data.yaml at the zip's top or in its one folder, with images/<split>/… and labels/<split>/… below its path (Ultralytics' layout, as Accord exports it).",
  voc: "Annotations/*.xml (or the XML files alone) at the zip's top or in its one folder, the images in JPEGImages/ or beside the XML files.",
};

interface Props {
  format: DatasetFormat;
  locked: boolean;
  upload: ImageUpload;
}

/** A dataset as one zip that holds its images too (an export made with the images,
 * Roboflow's, CVAT's): sent whole to the server, which checks and stores the images the
 * dataset names, then imports it as a background job followed on the page. */
export function DatasetZip({ format, locked, upload }: Props) {
  const id = useId();
  const [zip, setZip] = useState<File | null>(null);

  function start(): void {
    if (!zip) return;
    upload.send(
      "dataset",
      zip,
      format,
      `Sent ${zip.name} (${formatBytes(zip.size)}): the server checks each image the dataset names, stores it in the project's media and imports the dataset.`,
    );
  }

  return (
    <div className="dataset-zip" data-dataset-zip={format}>
      <h3 className="form-label">Or one zip with its images</h3>
      <div className="drop-zone image-pickers">
        <label htmlFor={`${id}-zip`} className="button">
          Choose the zip…
        </label>
        <input
          id={`${id}-zip`}
          className="visually-hidden"
          type="file"
          accept=".zip,application/zip"
          disabled={locked}
          onChange={(e) => setZip(e.target.files?.[0] ?? null)}
          data-pick-dataset-zip=""
        />
        {zip ? (
          <p className="drop-file" data-dataset-zip-picked="">
            {zip.name} · {formatBytes(zip.size)}
          </p>
        ) : null}
      </div>
      <p className="muted small">
        {LAYOUTS[format]} Images already in the project's media need not be in the zip; a bad image stops the import, naming the file. Up to 4 GiB unpacked: for
        more, use the command below with the zip.
      </p>
      <p className="import-buttons">
        <button type="button" className="button-primary" disabled={locked || !zip} onClick={start} data-import-dataset-zip="">
          Send the zip and import
        </button>
      </p>
    </div>
  );
}

/** What an imported dataset held: images from its zip, images it did not name. */
export function DatasetCounts({ dataset }: { dataset: DatasetReport }) {
  const fromZip = dataset.from_zip ?? 0;
  const unnamed = dataset.unnamed_in_zip ?? 0;
  if (!fromZip && !unnamed) return null;
  return (
    <p className="small" data-dataset-counts="">
      {fromZip
        ? `${fromZip.toLocaleString()} image${fromZip === 1 ? "" : "s"} from the zip (${(dataset.new_from_zip ?? 0).toLocaleString()} new to the project's media). `
        : null}
      {unnamed
        ? `Left out ${unnamed.toLocaleString()} image${unnamed === 1 ? "" : "s"} of the zip that the dataset does not name: ${listed(dataset.unnamed_examples ?? [], 5)}.`
        : null}
    </p>
  );
}
