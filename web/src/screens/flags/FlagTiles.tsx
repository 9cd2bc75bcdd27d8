import type { FlagFigures } from "../../api";
import { Link } from "../../app/Link";
import { waitText } from "./waitText";

/** The dashboard's figures on ambiguity flags: open questions, time to answer, amendments. */
export function FlagTiles({ projectId, figures }: { projectId: number; figures: FlagFigures }) {
  const tiles: [string, string][] = [
    ["Open questions", figures.open.toLocaleString()],
    ["Median time to answer", waitText(figures.median_seconds_to_answer)],
    ["Answered", figures.answered.toLocaleString()],
    ["Guideline amendments", figures.amendments.toLocaleString()],
  ];
  return (
    <section aria-labelledby="flag-figures" className="dashboard-section">
      <h2 id="flag-figures">
        Questions <Link to={`/projects/${projectId}/flags`} className="small">open the queue</Link>
      </h2>
      <dl className="metric-tiles">
        {tiles.map(([label, value]) => (
          <div key={label} className="metric-tile">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
