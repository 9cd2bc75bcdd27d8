import { describe, expect, it } from "vitest";
import type { Json, JsonObject } from "../api/types";
import { isEmptyAnswer } from "./answers";
import { judge, needsServer, parseDeclaredChecks } from "./checks";
import { consistencyFailures, parseConsistencyChecks } from "./consistency";
import fixture from "./fixtures/checks.json";
import { parseInterface } from "./interface";
import { oneDecimal, sentences, stats, syllables, words } from "./textStats";
import { segmentTextProblem, segmentTextWarnings, textSpecOf, transcriptTextProblems } from "../kinds/questions/transcript/textCheck";
import type { TextQuestionSpec, TranscriptSpec } from "./interface";
import { compileRules, textProblem, type RuleCheck, type RuleStatus } from "./textRules";

/** The same cases pytest checks the server with (tests/kinds/test_checks.py). */
describe("the browser's checks agree with the server's", () => {
  it.each(fixture.stats.map((c) => [c.text, c.expected] as const))("measures %j", (text, expected) => {
    const measured = stats(text);
    expect(words(text)).toEqual(expected.words);
    expect(sentences(text)).toBe(expected.sentences);
    expect(measured.syllables).toBe(expected.syllables);
    expect(measured.ease === null ? null : oneDecimal(measured.ease)).toBe(expected.ease);
    expect(measured.grade === null ? null : oneDecimal(measured.grade)).toBe(expected.grade);
  });

  it.each(fixture.syllables.map((c) => [c.word, c.expected] as const))("counts the syllables of %s", (word, expected) => {
    expect(syllables(word)).toBe(expected);
  });

  const local = fixture.checks.filter((c) => !("server" in c && c.server));
  it.each(local.map((c, i) => [i, c] as const))("gives the server's verdict (case %i)", (_, c) => {
    const [check] = parseDeclaredChecks([c.check as unknown as Json]);
    expect(check).toBeDefined();
    if (!check) return;
    expect(needsServer(check)).toBe(false);
    const verdict = judge(check, c.text);
    expect(verdict && { ok: verdict.ok, level: verdict.level, message: verdict.message }).toEqual(c.expected);
  });

  it("leaves language and yaml/python blocks to the server", () => {
    const server = fixture.checks.filter((c) => "server" in c && c.server);
    expect(server.length).toBeGreaterThan(0);
    for (const c of server) {
      const [check] = parseDeclaredChecks([c.check as unknown as Json]);
      expect(check && needsServer(check)).toBe(true);
      expect(check && judge(check, c.text)).toBeNull();
    }
  });

  const iface = parseInterface({ fields: [{ name: "prompt", kind: "text" }], questions: fixture.questions as unknown as Json[] });
  const isEmpty = (name: string, value: Json | undefined): boolean => {
    const question = iface.questions.find((q) => q.name === name);
    return !question || isEmptyAnswer(question, value);
  };
  it.each(fixture.consistency.map((c, i) => [i, c] as const))("judges consistency like the server (case %i)", (_, c) => {
    const checks = parseConsistencyChecks(c.checks as unknown as Json[]);
    expect(consistencyFailures(checks, c.result as unknown as JsonObject, isEmpty)).toEqual(c.expected);
  });

  it("keeps the index of each declared check in the question's list", () => {
    const checks = parseDeclaredChecks(["trimmed", { kind: "words", min: 2, level: "warn" }, { kind: "language", expected: ["en"] }]);
    expect(checks.map((c) => [c.kind, c.index, c.level])).toEqual([
      ["words", 1, "warn"],
      ["language", 2, "block"],
    ]);
  });

  it("checks each transcript segment's text by the declared checks, as the server does", () => {
    const raw: Json = { name: "t", kind: "transcript", target: "a", checks: [{ kind: "words", min: 2 }, { kind: "phrases", forbidden: ["um"], level: "warn" }] };
    const question = parseInterface({ fields: [{ name: "a", kind: "audio" }], questions: [raw] }).questions[0] as TranscriptSpec;
    const spec = textSpecOf(question);
    expect(segmentTextProblem(spec, [], "one", () => "pass")).toBe("words check: 1 word; write at least 2");
    expect(segmentTextProblem(spec, [], "um hello there", () => "pass")).toBeNull(); // a warning only
  });

  // Each segment's problems and warnings, as the server words them (tests/kinds/test_checks.py).
  const ruleStatus = (check: RuleCheck, text: string): RuleStatus => (check.regexp ? (check.regexp.test(text) === check.rule.mustMatch ? "pass" : "fail") : "server");
  it.each(fixture.transcripts.map((c, i) => [i, c] as const))("checks a transcript's texts like the server (case %i)", (_, c) => {
    const raw = { name: "said", kind: "transcript", target: "audio", ...c.question } as unknown as Json;
    const question = parseInterface({ fields: [{ name: "audio", kind: "audio" }], questions: [raw] }).questions[0] as TranscriptSpec;
    const rules = compileRules(question.rules);
    const value = { segments: c.texts.map((text, i) => ({ id: `s${i + 1}`, start: i, end: i + 1, text })) } as unknown as Json;
    expect(transcriptTextProblems(question, value, rules, ruleStatus)).toEqual(c.expected.problems);
    const spec = textSpecOf(question);
    const warnings = c.texts.flatMap((text, i) =>
      segmentTextWarnings(spec, rules, text, (check) => ruleStatus(check, text), null, `s${i + 1}`).map((w) => ({ path: `result.said.segments[${i}].text`, ...w })),
    );
    expect(warnings).toEqual(c.expected.warnings);
  });

  it("never blocks on a warn-level rule (the server accepts it with a warning)", () => {
    const raw: Json = { name: "why", kind: "text", rules: [{ pattern: "!", must_match: false, level: "warn" }, { pattern: "\\?", must_match: false }] };
    const question = parseInterface({ fields: [{ name: "a", kind: "text" }], questions: [raw] }).questions[0] as TextQuestionSpec;
    const rules = compileRules(question.rules);
    expect(question.rules.map((r) => r.level)).toEqual(["warn", "block"]);
    expect(textProblem(question, rules, "Hi!", () => "fail")).toBe("matches the forbidden pattern '\\\\?'");
    expect(textProblem(question, rules.slice(0, 1), "Hi!", () => "fail")).toBeNull();
  });
});
