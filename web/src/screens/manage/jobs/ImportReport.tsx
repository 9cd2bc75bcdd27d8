import type { ImportReport, MediaDatasetReport, RowError } from "../../../api";
import { mediaDatasetLines } from "../mediaDatasetReport";

/** The counts of an import's report. */
export function ImportCounts({ report }: { report: ImportReport }) {
  const counts: [string, number][] = [
    ["Tasks created", report.created],
    ["Duplicates (ids already there, not imported)", report.duplicates],
    ["Invalid rows skipped", report.skipped],
    ["Predictions", report.predictions],
  ];
  if (report.gold) counts.push(["With a known answer (gold)", report.gold]);
  if (report.source) {
    counts.push([`Annotations by the source “${report.source}”`, report.annotations ?? 0]);
    counts.push(["Left as predictions", report.left_as_predictions ?? 0]);
  }
  return (
    <>
      <dl className="report-counts">
        {counts.map(([label, value]) => (
          <div key={label} className="report-count">
            <dt>{label}</dt>
            <dd>{value.toLocaleString()}</dd>
          </div>
        ))}
      </dl>
      {report.left_tasks && report.left_tasks.length > 0 ? (
        <ul className="small" data-left-tasks="">
          {report.left_tasks.map((left) => (
            <li key={left.task_id}>
              Task {left.id ?? `#${left.task_id}`} kept its prediction: {left.reason}
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}

/** The bad rows of an import (skipped, or why it was refused): line, field, problem. */
export function RowErrors({ errors, total }: { errors: RowError[]; total: number }) {
  if (errors.length === 0) return null;
  return (
    <table className="table row-errors">
      <caption>
        Rejected lines{total > errors.length ? ` (the first ${errors.length} of ${total.toLocaleString()})` : ""}
      </caption>
      <thead>
        <tr>
          <th scope="col">Line</th>
          <th scope="col">Field</th>
          <th scope="col">Problem</th>
        </tr>
      </thead>
      <tbody>
        {errors.map((e, i) => (
          <tr key={i}>
            <td className="num">{e.line}</td>
            <td>{e.field ? <code>{e.field}</code> : <span className="muted">—</span>}</td>
            <td>{e.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What a video or audio dataset zip held, in words (the import's report). */
export function MediaDatasetCounts({ dataset }: { dataset: MediaDatasetReport }) {
  return (
    <ul className="small media-dataset-counts" data-media-dataset-counts="">
      {mediaDatasetLines(dataset).map((line) => (
        <li key={line}>{line}</li>
      ))}
    </ul>
  );
}
