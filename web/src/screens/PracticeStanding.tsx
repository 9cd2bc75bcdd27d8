/** Where I stand in a project's qualification, and the training tasks I can do. */
import { api } from "../api";
import { Link } from "../app/Link";
import { useLoad } from "../ui/useLoad";

export function PracticeStanding({ projectId }: { projectId: number }) {
  const [state] = useLoad(() => api.gold.standing(projectId), `standing:${projectId}`);
  if (state.status !== "ready") return null;
  const { qualification, training_left: left } = state.value;
  if (!qualification && left === 0) return null;
  const pct = (value: number | null): string => (value === null ? "—" : `${Math.round(value * 100)}%`);
  return (
    <section className="practice-standing" aria-labelledby="practice-title">
      <h2 id="practice-title">Qualification and training</h2>
      {qualification ? (
        <p data-qualification={qualification.state}>
          {qualification.state === "passed"
            ? `Qualification passed (${pct(qualification.score)}).`
            : qualification.state === "failed"
              ? `Qualification not passed (${pct(qualification.score)}; ${pct(qualification.needed)} needed), attempt ${qualification.attempt} of ${qualification.attempts}.`
              : `Qualification to pass before real tasks: ${qualification.total} tasks, ${pct(qualification.needed)} needed (attempt ${qualification.attempt} of ${qualification.attempts}). Annotate to start.`}
        </p>
      ) : null}
      {left > 0 ? (
        <p>
          {left} training task{left === 1 ? "" : "s"} to practise on, with the expected answer shown after each (they do not count).{" "}
          <Link className="button" to={`/projects/${projectId}/annotate?mode=training`}>
            Start training
          </Link>
        </p>
      ) : null}
    </section>
  );
}
