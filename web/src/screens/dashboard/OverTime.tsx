import { useMemo } from "react";
import type { Metrics } from "../../api";
import { Chart, COLORS } from "./Chart";
import { WORK_COLUMNS } from "./columns";
import { SortableTable } from "./SortableTable";

/** Submissions, skips and review outcomes per day or week: two charts and a table. */
export function OverTime({ metrics }: { metrics: Metrics }) {
  const rows = metrics.rows;
  const work = useMemo(
    () => ({
      labels: rows.map((r) => r.key),
      datasets: [
        { label: "Submitted", data: rows.map((r) => r.submitted), backgroundColor: COLORS[0] },
        { label: "Skipped", data: rows.map((r) => r.skipped), backgroundColor: COLORS[1] },
      ],
    }),
    [rows],
  );
  const outcomes = useMemo(
    () => ({
      labels: rows.map((r) => r.key),
      datasets: [
        { label: "Accepted", data: rows.map((r) => r.accept_rate), borderColor: COLORS[2], backgroundColor: COLORS[2] },
        { label: "Fixed", data: rows.map((r) => r.fix_rate), borderColor: COLORS[6], backgroundColor: COLORS[6] },
        { label: "Rejected", data: rows.map((r) => r.reject_rate), borderColor: COLORS[3], backgroundColor: COLORS[3] },
      ],
    }),
    [rows],
  );
  if (rows.length === 0) return <p className="empty">No work yet: the figures appear as annotators submit.</p>;
  return (
    <>
      <div className="chart-row">
        <figure className="chart-figure">
          <figcaption>Submissions and skips per {metrics.by}</figcaption>
          <Chart label={`Bar chart: submissions and skips per ${metrics.by}`} type="bar" data={work} />
        </figure>
        <figure className="chart-figure">
          <figcaption>Review outcomes per {metrics.by} (share of the reviews decided)</figcaption>
          <Chart label={`Line chart: accepted, fixed and rejected shares per ${metrics.by}`} type="line" data={outcomes} share />
        </figure>
      </div>
      <SortableTable
        caption={`Figures per ${metrics.by}`}
        columns={[{ key: "period", label: metrics.by === "day" ? "Day" : "Week of", value: (r) => r.key, textual: true }, ...WORK_COLUMNS]}
        rows={rows}
        rowKey={(r) => r.key}
        initial={{ column: "period", direction: "descending" }}
      />
    </>
  );
}
