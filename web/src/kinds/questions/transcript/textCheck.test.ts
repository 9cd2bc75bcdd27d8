import { describe, expect, it } from "vitest";
import { parseInterface, type TranscriptSpec } from "../../../editor/interface";
import { compileRules } from "../../../editor/textRules";
import { segmentTextProblem, textSpecOf } from "./textCheck";

const parse = (raw: object): TranscriptSpec => parseInterface({ fields: [], questions: [raw as never] }).questions[0] as TranscriptSpec;

describe("transcript text rules", () => {
  it("parses the question with the server's defaults", () => {
    const q = parse({ name: "t", kind: "transcript", target: "a" });
    expect(q).toMatchObject({ overlap: "allow", minDuration: 0.01, maxSegments: 10000, speakers: null, minLength: 0, maxLength: null, rules: [], checks: [] });
    const s = parseInterface({ fields: [], questions: [{ name: "s", kind: "segments", target: "a", labels: ["speech"], speakers: ["A", "B"], overlap: "refuse" }] }).questions[0];
    expect(s).toMatchObject({ kind: "segments", overlap: "refuse", speakers: [{ value: "A" }, { value: "B" }] });
  });

  it("checks each text as a text question does, an empty one too (as the server does)", () => {
    const q = parse({ name: "t", kind: "transcript", target: "a", min_length: 3, checks: ["trimmed"] });
    const spec = textSpecOf(q);
    const rules = compileRules(q.rules);
    const pass = () => "pass" as const;
    expect(segmentTextProblem(spec, rules, "hi", pass)).toBe("2 characters; write at least 3");
    expect(segmentTextProblem(spec, rules, " hello", pass)).toMatch(/spaces/);
    expect(segmentTextProblem(spec, rules, "hello", pass)).toBeNull();
    expect(segmentTextProblem(spec, rules, "", pass)).toBe("0 characters; write at least 3");
    const free = parse({ name: "t", kind: "transcript", target: "a" });
    expect(segmentTextProblem(textSpecOf(free), [], "", pass)).toBeNull();
    // `trimmed` holds for an empty text: the server accepts it.
    const trimmed = parse({ name: "t", kind: "transcript", target: "a", checks: ["trimmed"] });
    expect(segmentTextProblem(textSpecOf(trimmed), [], "", pass)).toBeNull();
  });
});
