/**
 * A transcript segment's text against the question's text rules: the same checks a `text`
 * question runs as you type (editor/textRules.ts), on each segment. The server checks every
 * segment's text, an empty one too (kinds/questions/transcript.py), so an empty text is a
 * problem when the rules ask for anything (a length, a check, a required pattern).
 */
import type { TextQuestionSpec, TranscriptSpec } from "../../../editor/interface";
import { textProblem, type RuleCheck, type RuleStatus } from "../../../editor/textRules";
import { declaredProblem } from "../../../editor/declaredProblems";

/** The `text` question each segment's text must pass (as the server builds it). */
export function textSpecOf(question: TranscriptSpec): TextQuestionSpec {
  return {
    kind: "text",
    name: question.name,
    label: question.label,
    description: "",
    required: false,
    minLength: question.minLength,
    maxLength: question.maxLength,
    placeholder: "",
    multiline: false,
    rules: question.rules,
    checks: question.checks,
    declared: question.declared ?? [],
  };
}

export function segmentTextProblem(spec: TextQuestionSpec, rules: readonly RuleCheck[], text: string, status: (check: RuleCheck) => RuleStatus): string | null {
  if (text === "") {
    const asks = spec.minLength > 0 || spec.checks.length > 0 || spec.rules.some((r) => r.mustMatch);
    return asks ? "empty; write what is said" : null;
  }
  return textProblem(spec, rules, text, status) ?? declaredProblem(spec, text);
}
