import type { Project } from "../../api";
import { ProgressBar } from "../../ui/ProgressBar";

/** The project's counts for managers: how many tasks are new, in progress and complete. */
export function ProjectProgress({ project }: { project: Project }) {
  const { progress } = project;
  const share = progress.tasks ? Math.round((progress.complete / progress.tasks) * 1000) / 10 : 0;
  const counts: [string, number, string][] = [
    ["Tasks", progress.tasks, "all"],
    ["New", progress.new, "new"],
    ["In progress", progress.in_progress, "in_progress"],
    ["Complete", progress.complete, "complete"],
    ["Annotations", progress.annotations, "annotations"],
  ];
  return (
    <section className="progress-panel" aria-label="Progress">
      <div className="progress-panel-bar">
        <ProgressBar value={progress.complete} max={progress.tasks} label="Tasks complete" />
        <span className="small">
          <strong>{share}%</strong> complete
          {project.overlap > 1 ? <span className="muted"> · {project.overlap} annotations wanted per task</span> : null}
        </span>
      </div>
      <dl className="progress-counts">
        {counts.map(([label, value, key]) => (
          <div key={key} className={`progress-count progress-count-${key}`} data-count={key}>
            <dt>{label}</dt>
            <dd>{value.toLocaleString()}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
