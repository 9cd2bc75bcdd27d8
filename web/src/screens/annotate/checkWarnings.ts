/** What the annotator is told after a submit that passed with warnings (docs/checks.md). */
import type { SubmitWarning } from "../../api/types";

export function warningsNotice(warnings: readonly SubmitWarning[]): { tone: "warning"; text: string } {
  const said = warnings.slice(0, 5).map((w) => `${w.path.replace(/^result\./, "").replace(/\.text$/, "")}: ${w.message}`);
  const more = warnings.length > 5 ? ` (and ${warnings.length - 5} more)` : "";
  const count = warnings.length === 1 ? "a warning" : `${warnings.length} warnings`;
  return { tone: "warning", text: `Submitted, with ${count}: ${said.join("; ")}${more}. Keep it in mind for the next ones.` };
}
