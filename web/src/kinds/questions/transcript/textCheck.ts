/**
 * A transcript segment's text against the question's text rules, as the server checks it
 * (kinds/questions/transcript.py runs the `text` kind's check on every segment's text, an
 * empty one too): length, the built-in checks, the block-level rules, then the block-level
 * declared checks (docs/checks.md); the warn-level rules and declared checks are the
 * warnings the submit answer lists (kinds/verdicts.py), at `segments[i].text`. The same
 * functions as a `text` question's (editor/textRules.ts, editor/checks.ts), on each segment.
 */
import type { Json, Problem } from "../../../api/types";
import type { TextQuestionSpec, TranscriptSpec } from "../../../editor/interface";
import { ruleMessage, ruleProblem, type RuleCheck, type RuleStatus } from "../../../editor/textRules";
import { declaredProblem } from "../../../editor/declaredProblems";
import { isVerdict, liveVerdicts, type ServerChecks } from "../../../editor/serverChecks";

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

/** The first reason the server refuses this segment's text (`slot`: the segment's id), or null. */
export function segmentTextProblem(spec: TextQuestionSpec, rules: readonly RuleCheck[], text: string, status: (check: RuleCheck) => RuleStatus, slot = ""): string | null {
  return ruleProblem(spec, rules, text, status) ?? declaredProblem(spec, text, slot);
}

export interface SegmentWarning {
  /** "rule", or the declared check's kind (words, phrases, language...). */
  check: string;
  message: string;
}

/** The warn-level rules and declared checks this segment's text fails (the submit goes through). */
export function segmentTextWarnings(
  spec: TextQuestionSpec,
  rules: readonly RuleCheck[],
  text: string,
  status: (check: RuleCheck) => RuleStatus,
  server: ServerChecks | null,
  slot = "",
): SegmentWarning[] {
  const out: SegmentWarning[] = [];
  for (const check of rules) {
    if (check.rule.level === "warn" && status(check) === "fail") out.push({ check: "rule", message: ruleMessage(check.rule) });
  }
  for (const live of liveVerdicts(spec.name, spec.declared ?? [], text, server, slot)) {
    if (isVerdict(live) && !live.ok && live.level === "warn") out.push({ check: live.check, message: live.message });
  }
  return out;
}

/** The segments of a transcript answer, in the answer's order (the server's `segments[i]`). */
function segmentsIn(value: Json | undefined): { id: string; text: string }[] {
  if (value === null || typeof value !== "object" || Array.isArray(value) || !Array.isArray(value.segments)) return [];
  return value.segments.map((s) => {
    const segment = s !== null && typeof s === "object" && !Array.isArray(s) ? s : {};
    return { id: typeof segment.id === "string" ? segment.id : "", text: typeof segment.text === "string" ? segment.text : "" };
  });
}

/**
 * Every segment text of a transcript answer that the server would refuse (what stops the
 * submit in the browser), at the server's path: `result.<question>.segments[i].text`.
 */
export function transcriptTextProblems(question: TranscriptSpec, value: Json | undefined, rules: readonly RuleCheck[], status: (check: RuleCheck, text: string) => RuleStatus): Problem[] {
  const spec = textSpecOf(question);
  const out: Problem[] = [];
  segmentsIn(value).forEach((segment, i) => {
    const message = segmentTextProblem(spec, rules, segment.text, (check) => status(check, segment.text), segment.id);
    if (message) out.push({ path: `result.${question.name}.segments[${i}].text`, message });
  });
  return out;
}
