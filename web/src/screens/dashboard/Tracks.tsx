import type { Metrics, TrackScores } from "../../api";
import { decimal } from "./format";
import { SortableTable } from "./SortableTable";

interface Row extends TrackScores {
  key: string;
  question: string;
  against: string;
  who: string;
}

/** The rows of the tracks table: per tracks question, gold scoring then pairwise agreement,
 * each as a whole ("all") and per annotator. */
export function trackRows(metrics: Metrics): Row[] {
  const name = (id: string) => metrics.names[id] || `#${id}`;
  const rows: Row[] = [];
  for (const [question, figures] of Object.entries(metrics.tracks ?? {})) {
    for (const [part, against] of [
      ["gold", "gold"],
      ["agreement", "other annotators"],
    ] as const) {
      const found = figures[part];
      if (!found || found.n === 0) continue;
      rows.push({ ...found, key: `${question}:${part}:all`, question, against, who: "all" });
      for (const [id, mine] of Object.entries(found.by_annotator)) rows.push({ ...mine, key: `${question}:${part}:${id}`, question, against, who: name(id) });
    }
  }
  return rows;
}

/** MOTA and IDF1 of the tracks questions (docs/metrics.md, "Tracks"). */
export function Tracks({ metrics }: { metrics: Metrics }) {
  const rows = trackRows(metrics);
  if (rows.length === 0) return null;
  return (
    <section aria-label="Tracks: MOTA and IDF1" data-tracks-figures="">
      <h3 className="table-title">Tracks: MOTA and IDF1, against gold and between annotators</h3>
      <p className="muted small">
        Each answer on a gold task is scored against the known answer; on the other tasks, each annotator's answer against each other annotator's (the
        other's as the reference). MOTA is at most 1 and falls below 0 when the errors outnumber the reference's objects; IDF1 runs from 0 to 1.
      </p>
      <SortableTable
        caption="MOTA and IDF1 per tracks question, as a whole and per annotator"
        columns={[
          { key: "question", label: "Question", value: (r) => r.question, textual: true },
          { key: "against", label: "Against", value: (r) => r.against, textual: true },
          { key: "who", label: "Annotator", value: (r) => r.who, textual: true },
          { key: "n", label: "Scored", value: (r) => r.n },
          { key: "mota_mean", label: "MOTA mean", value: (r) => r.mota_mean, cell: (r) => decimal(r.mota_mean, 3) },
          { key: "mota_median", label: "MOTA median", value: (r) => r.mota_median, cell: (r) => decimal(r.mota_median, 3) },
          { key: "idf1_mean", label: "IDF1 mean", value: (r) => r.idf1_mean, cell: (r) => decimal(r.idf1_mean, 3) },
          { key: "idf1_median", label: "IDF1 median", value: (r) => r.idf1_median, cell: (r) => decimal(r.idf1_median, 3) },
        ]}
        rows={rows}
        rowKey={(r) => r.key}
        initial={{ column: "question", direction: "ascending" }}
      />
    </section>
  );
}
