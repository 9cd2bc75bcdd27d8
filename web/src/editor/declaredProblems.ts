/**
 * The declared checks that stop a submit in the browser (docs/checks.md): a text's
 * block-level checks that fail (the browser's own verdicts, and the server's where it has
 * answered), and the block-level consistency checks across questions. Warn-level ones never
 * stop it. Paths and words as the server's 422 (`result.why.text`: "words check: ...").
 */
import type { Json, JsonObject, Problem } from "../api/types";
import { problemOf } from "./checks";
import { consistencyFailures } from "./consistency";
import type { Interface, TextQuestionSpec } from "./interface";
import { activeServerChecks, isVerdict, liveVerdicts } from "./serverChecks";

/** The first block-level declared check `text` fails, as the server would word it, or null
 * (`slot`: which of the question's texts it is, a transcript segment's id). */
export function declaredProblem(question: TextQuestionSpec, text: string, slot = ""): string | null {
  const checks = question.declared ?? [];
  if (checks.length === 0) return null;
  for (const live of liveVerdicts(question.name, checks, text, activeServerChecks(), slot)) {
    if (isVerdict(live) && !live.ok && live.level === "block") return problemOf(live);
  }
  return null;
}

/** The block-level consistency checks `result` fails. */
export function consistencyProblems(iface: Interface, result: JsonObject, isEmpty: (name: string, value: Json | undefined) => boolean): Problem[] {
  return consistencyFailures(iface.checks ?? [], result, isEmpty)
    .filter((f) => f.level === "block")
    .map((f) => ({ path: f.path, message: `${f.check} check: ${f.message}` }));
}
