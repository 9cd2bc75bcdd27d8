/** The project's gold and qualification settings in words, for the Gold page. */
import type { Project } from "../../api";

const pct = (value: number): string => `${Math.round(value * 100)}%`;

export function goldPolicyWords(project: Project): string {
  const parts: string[] = [];
  parts.push(project.gold_rate > 0 ? `About ${pct(project.gold_rate)} of the tasks served are gold.` : "No gold is mixed into the queue.");
  if (project.gold_rate > 0) {
    parts.push(project.gold_feedback ? "Annotators see the expected answer after a gold task." : "Annotators are not told which tasks were gold.");
  }
  if (project.gold_pause_below > 0) {
    parts.push(`An annotator whose gold score falls below ${pct(project.gold_pause_below)} over ${project.gold_pause_min} gold tasks is paused until a manager resumes them.`);
  }
  parts.push(
    project.qualification_pass > 0
      ? `Annotators must score at least ${pct(project.qualification_pass)} on the qualification (${project.qualification_attempts} attempt${project.qualification_attempts === 1 ? "" : "s"}) before real tasks.`
      : "No qualification is required.",
  );
  return parts.join(" ");
}
