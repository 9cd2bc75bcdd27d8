import { useMemo } from "react";
import type { Metrics } from "../../api";
import { Chart, COLORS } from "./Chart";
import { AGREEMENT_COLUMNS, WORK_COLUMNS, who } from "./columns";
import { SortableTable } from "./SortableTable";

/** Per annotator: throughput and agreement charts, and the table of every figure. */
export function Annotators({ metrics }: { metrics: Metrics }) {
  const rows = metrics.rows;
  const throughput = useMemo(
    () => ({
      labels: rows.map(who),
      datasets: [{ label: "Tasks per active hour", data: rows.map((r) => r.throughput_per_hour), backgroundColor: COLORS[0] }],
    }),
    [rows],
  );
  const quality = useMemo(
    () => ({
      labels: rows.map(who),
      datasets: [
        { label: "Gold accuracy", data: rows.map((r) => r.gold_accuracy), backgroundColor: COLORS[6] },
        { label: "Agrees with consensus", data: rows.map((r) => r.agreement_consensus), backgroundColor: COLORS[2] },
        { label: "Agrees with others", data: rows.map((r) => r.agreement_others), backgroundColor: COLORS[4] },
      ],
    }),
    [rows],
  );
  if (rows.length === 0) return <p className="empty">Nobody has worked on this project yet.</p>;
  const height = Math.max(160, 40 + rows.length * 26);
  return (
    <>
      <div className="chart-row">
        <figure className="chart-figure">
          <figcaption>Throughput</figcaption>
          <Chart label="Bar chart: tasks per active hour, per annotator" type="bar" data={throughput} horizontal height={height} />
        </figure>
        <figure className="chart-figure">
          <figcaption>Quality</figcaption>
          <Chart
            label="Bar chart: gold accuracy and agreement with the consensus and with the others, per annotator"
            type="bar"
            data={quality}
            horizontal
            share
            height={height}
          />
        </figure>
      </div>
      <SortableTable
        caption="Figures per annotator"
        columns={[{ key: "name", label: "Annotator", value: who, textual: true }, ...WORK_COLUMNS, ...AGREEMENT_COLUMNS]}
        rows={rows}
        rowKey={(r) => r.key}
        initial={{ column: "submitted", direction: "descending" }}
      />
    </>
  );
}
