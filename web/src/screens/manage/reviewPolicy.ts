import type { Project } from "../../api";

/** The review policy in a sentence. */
export function policyWords(
  project: Pick<Project, "review_share" | "review_first" | "review_below_confidence" | "review_disagreements"> &
    Partial<Pick<Project, "review_below_gold" | "review_faster_than">>,
): string {
  const percent = Math.round(project.review_share * 10000) / 100;
  const first = project.review_first;
  const parts: string[] = [];
  if (first) parts.push(`each annotator's first ${first} submissions`);
  if (percent >= 100) parts.push(first ? "then every submission" : "every submission");
  else if (percent > 0) parts.push(`${first ? "then " : ""}${percent}% of the ${first ? "rest" : "submissions"}, drawn at random`);
  if (project.review_below_confidence > 0) parts.push(`submissions on tasks whose best prediction scores below ${project.review_below_confidence}`);
  if (project.review_disagreements) parts.push("answers that disagree with most of the task's earlier answers");
  if (project.review_below_gold) parts.push(`the work of annotators whose gold score is below ${Math.round(project.review_below_gold * 100)}%`);
  if (project.review_faster_than) parts.push(`submissions made in under ${Math.round(project.review_faster_than * 100)}% of the median time`);
  return parts.length ? `reviewed: ${parts.join("; ")}.` : "nothing is sent to review.";
}
