import { api, type MetricsRow } from "../../api";
import { useLoad } from "../../ui/useLoad";
import { WORK_COLUMNS } from "./columns";
import { decimal, duration, percent } from "./format";
import { SortableTable } from "./SortableTable";
import "./dashboard.css";

/** The per-day columns that fit beside "My work" (the dashboard has them all). */
const MY_COLUMNS = new Set(["submitted", "skipped", "active", "throughput", "reviewed", "accept", "fix", "reject"]);

/** An annotator's own figures in a project (the server gives nobody else's). No chart
 * library here: "My work" stays light. */
export function MyFigures({ projectId }: { projectId: number }) {
  const [mine] = useLoad(() => api.metrics.get(projectId, "annotator"), `my-metrics:${projectId}`);
  const [days] = useLoad(() => api.metrics.get(projectId, "day"), `my-metrics-days:${projectId}`);
  if (mine.status !== "ready" || mine.value.rows.length === 0) return null;
  const row = mine.value.rows[0] as MetricsRow;
  const tiles: [string, string][] = [
    ["Submitted", String(row.submitted)],
    ["Active time", duration(row.active_seconds)],
    ["Tasks per hour", decimal(row.throughput_per_hour, 1)],
    ["Skipped", String(row.skipped)],
    ["Accepted in review", row.reviewed ? `${percent(row.accept_rate)} of ${row.reviewed}` : "—"],
    ["Agreement with others", percent(row.agreement_others)],
    ["Agreement with consensus", percent(row.agreement_consensus)],
  ];
  if (row.gold_accuracy !== null) {
    // Only where the project shows gold results (the server leaves them out otherwise).
    tiles.push(["Gold score", `${percent(row.gold_accuracy)} (95%: ${percent(row.gold_low, 0)}–${percent(row.gold_high, 0)})`]);
  }
  return (
    <section className="my-figures" aria-labelledby="my-figures-title">
      <h2 id="my-figures-title">My figures</h2>
      <dl className="metric-tiles">
        {tiles.map(([label, value]) => (
          <div key={label} className="metric-tile">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {days.status === "ready" && days.value.rows.length > 0 ? (
        <details className="my-figures-days">
          <summary>Per day</summary>
          <SortableTable
            caption="My figures per day"
            columns={[{ key: "day", label: "Day", value: (r) => r.key, textual: true }, ...WORK_COLUMNS.filter((c) => MY_COLUMNS.has(c.key))]}
            rows={days.value.rows}
            rowKey={(r) => r.key}
            initial={{ column: "day", direction: "descending" }}
          />
        </details>
      ) : null}
    </section>
  );
}
