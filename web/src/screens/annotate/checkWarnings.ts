/** What the annotator is told after a submit that passed with warnings (docs/checks.md). */
import type { SubmitWarning } from "../../api/types";

export function warningsNotice(warnings: readonly SubmitWarning[]): { tone: "warning"; text: string } {
  return { tone: "warning", text: `Submitted, ${warnedAbout(warnings)}. Keep it in mind for the next ones.` };
}

/** "with 2 warnings: why: …; how: …" (at most 5 said), for any write that was warned about:
 * a submit, a saved edit, a reviewer's fix, an adjudicated answer. */
export function warnedAbout(warnings: readonly SubmitWarning[]): string {
  const said = warnings.slice(0, 5).map((w) => `${w.path.replace(/^result\./, "").replace(/\.text$/, "")}: ${w.message}`);
  const more = warnings.length > 5 ? ` (and ${warnings.length - 5} more)` : "";
  const count = warnings.length === 1 ? "a warning" : `${warnings.length} warnings`;
  return `with ${count}: ${said.join("; ")}${more}`;
}

/** The warnings of edits just saved, by annotation: the reopen screen leaves for My work on
 * saving, which shows them there (`savedNotice`). Kept in this tab until the next save. */
const saved = new Map<number, readonly SubmitWarning[]>();

export function rememberSaved(annotationId: number, warnings: readonly SubmitWarning[]): void {
  saved.set(annotationId, warnings);
}

/** What My work says after an edit was saved: with its warnings, as after a submit. */
export function savedNotice(annotationId: number): { tone: "success" | "warning"; text: string } {
  const warnings = saved.get(annotationId) ?? [];
  if (!warnings.length) return { tone: "success", text: `Annotation #${annotationId} saved.` };
  return { tone: "warning", text: `Annotation #${annotationId} saved, ${warnedAbout(warnings)}. Keep it in mind for the next ones.` };
}
