import { api, type MetricsBy } from "../../api";

/** Links that download the figures (the same the API and `accord metrics` give). */
export function Downloads({ projectId, period }: { projectId: number; period: "day" | "week" }) {
  const groups: [MetricsBy, string][] = [
    ["annotator", "Per annotator"],
    [period, `Per ${period}`],
    ["question", "Per question"],
  ];
  return (
    <section aria-labelledby="downloads" className="dashboard-section">
      <h2 id="downloads">Download</h2>
      <ul className="download-list">
        {groups.map(([by, label]) => (
          <li key={by}>
            {label}:{" "}
            <a href={api.metrics.downloadUrl(projectId, by, "csv")} download={`project-${projectId}-metrics-by-${by}.csv`}>
              CSV
            </a>{" "}
            <a href={api.metrics.downloadUrl(projectId, by, "json")} download={`project-${projectId}-metrics-by-${by}.json`}>
              JSON
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
