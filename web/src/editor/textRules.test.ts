import { describe, expect, it } from "vitest";
import { codePointLength, compileRules, isFiller, pythonRepr, textProblem as textProblemWith, toJsRegExp, type RuleCheck, type RuleStatus } from "./textRules";
import type { TextQuestionSpec } from "./interface";

/** The rules run at once, here (the app runs them in a worker: see ruleEngine.test.ts). */
function textProblem(q: TextQuestionSpec, rules: RuleCheck[], text: string): string | null {
  const now = (check: RuleCheck): RuleStatus => (check.regexp === null ? "server" : check.regexp.test(text) === check.rule.mustMatch ? "pass" : "fail");
  return textProblemWith(q, rules, text, now);
}

const question = (over: Partial<TextQuestionSpec> = {}): TextQuestionSpec => ({
  kind: "text",
  name: "why",
  label: "",
  required: false,
  description: "",
  minLength: 0,
  maxLength: null,
  placeholder: "",
  multiline: true,
  rules: [],
  checks: [],
  ...over,
});

describe("isFiller (as the server's no_placeholder)", () => {
  // Expected values checked against accord.kinds.questions.text.is_filler.
  const filler = ["", "   ", "...", "-", "?", "TODO", "todo todo", "n/a", "N/A", "na", "xxxx", "asdf", "Test", "tbd.", "lorem ipsum dolor", "FIXME!", "placeholder"];
  const real = ["test cases pass", "good", "x", "xx yes", "ToDo list app", "Ünïcode wörds", "42"];
  it.each(filler)("refuses %j", (text) => expect(isFiller(text)).toBe(true));
  it.each(real)("accepts %j", (text) => expect(isFiller(text)).toBe(false));
});

describe("toJsRegExp", () => {
  const cases: Array<[string, string, boolean]> = [
    ["\\d", "page 4", true],
    ["\\d", "no digits", false],
    ["(?i)\\bas an ai\\b", "As an AI model", true],
    ["(?i)\\bas an ai\\b", "has an aide", false],
    ["^\\w+$", "héllo", true],
    ["\\Aabc\\Z", "abc", true],
    ["abc$", "abc\n", true],
    ["(?P<w>ab)(?P=w)", "abab", true],
    ["[\\w-]+@x", "a-b@x", true],
    ["a{2,3}", "caab", true],
    ["\\.", "a.b", true],
    ["\\.", "ab", false],
  ];
  it.each(cases)("%s on %j → %s", (pattern, text, expected) => {
    const re = toJsRegExp(pattern);
    expect(re).not.toBeNull();
    expect(re?.test(text)).toBe(expected);
  });

  it("gives up on syntax JavaScript cannot express", () => {
    expect(toJsRegExp("a(?i)b")).toBeNull();
    expect(toJsRegExp("(?x) a b")).toBeNull();
    expect(toJsRegExp("a++")).toBeNull();
    expect(toJsRegExp("(?(1)a|b)")).toBeNull();
  });
});

describe("textProblem", () => {
  it("counts code points like the server", () => {
    expect(codePointLength("😀😀")).toBe(2);
    const q = question({ minLength: 3 });
    expect(textProblem(q, [], "😀😀")).toBe("2 characters; write at least 3");
    expect(textProblem(q, [], "😀😀😀")).toBeNull();
  });

  it("checks in the server's order: length, checks, rules", () => {
    const q = question({
      minLength: 5,
      maxLength: 40,
      checks: ["no_placeholder", "trimmed"],
      rules: [
        { pattern: "\\d", message: "Cite at least one number", mustMatch: true },
        { pattern: "(?i)\\bas an ai\\b", message: "No boilerplate", mustMatch: false },
      ],
    });
    const rules = compileRules(q.rules);
    expect(textProblem(q, rules, "abc")).toBe("3 characters; write at least 5");
    expect(textProblem(q, rules, "todo todo")).toBe("looks like placeholder text; write a real answer");
    expect(textProblem(q, rules, " a real answer")).toBe("starts or ends with spaces or blank lines; remove them");
    expect(textProblem(q, rules, "a real answer")).toBe("Cite at least one number");
    expect(textProblem(q, rules, "As an AI, 3 points")).toBe("No boilerplate");
    expect(textProblem(q, rules, "It has 3 points")).toBeNull();
    expect(textProblem(q, rules, "x".repeat(41))).toBe("41 characters; write at most 40");
  });

  it("leaves an empty answer alone unless required", () => {
    expect(textProblem(question({ minLength: 10 }), [], "")).toBeNull();
    expect(textProblem(question({ required: true }), [], "")).toBe("required; answer it");
  });

  it("uses the server's default rule messages", () => {
    const q = question({ rules: [{ pattern: "\\d", message: "", mustMatch: true }] });
    // Python's repr of the pattern (`{pattern!r}`): backslashes doubled, as the submit's 422 says.
    expect(textProblem(q, compileRules(q.rules), "none")).toBe("does not match the required pattern '\\\\d'");
  });

  it("quotes a pattern as Python's repr() does", () => {
    expect(pythonRepr("\\d")).toBe("'\\\\d'");
    expect(pythonRepr("'x")).toBe(`"'x"`);
    expect(pythonRepr(`'"`)).toBe(`'\\'"'`);
    expect(pythonRepr("a\tb")).toBe("'a\\tb'");
    expect(pythonRepr("é")).toBe("'é'");
  });
});

describe("textProblem with rules not known yet", () => {
  it("counts only the rules known to be broken", () => {
    const q = question({ rules: [{ pattern: "\\d", message: "Cite a number", mustMatch: true }] });
    const rules = compileRules(q.rules);
    for (const status of ["pending", "server", "pass"] as const) expect(textProblemWith(q, rules, "none", () => status)).toBeNull();
    expect(textProblemWith(q, rules, "none", () => "fail")).toBe("Cite a number");
  });
});
