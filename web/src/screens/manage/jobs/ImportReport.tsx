import type { ImportReport, RowError } from "../../../api";

/** The counts of an import's report. */
export function ImportCounts({ report }: { report: ImportReport }) {
  const counts: [string, number][] = [
    ["Tasks created", report.created],
    ["Duplicates (ids already there, not imported)", report.duplicates],
    ["Invalid rows skipped", report.skipped],
    ["Predictions", report.predictions],
  ];
  if (report.gold) counts.push(["With a known answer (gold)", report.gold]);
  return (
    <dl className="report-counts">
      {counts.map(([label, value]) => (
        <div key={label} className="report-count">
          <dt>{label}</dt>
          <dd>{value.toLocaleString()}</dd>
        </div>
      ))}
    </dl>
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
