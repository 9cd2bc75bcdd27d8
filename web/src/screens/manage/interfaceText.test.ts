import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../api/types";
import { checkShape, interfaceToYaml, lineOfPath, previewData, readInterface, splitPath } from "./interfaceText";

const TEXT = `fields:
  - {name: text, kind: text}
  - name: responses
    kind: text_list
questions:
  - {name: label, kind: choice, options: [a, b]}
  - name: rate
    kind: rating
    max: 0
`;

describe("readInterface", () => {
  it("parses YAML and JSON alike", () => {
    expect(readInterface(TEXT).value?.fields).toHaveLength(2);
    const json = readInterface('{"fields": [{"name": "t", "kind": "text"}], "questions": []}');
    expect(json.problems).toEqual([]);
    expect(json.value?.fields).toEqual([{ name: "t", kind: "text" }]);
  });

  it("gives a syntax error its line", () => {
    const read = readInterface("fields:\n  - {name: t, kind: text\nquestions: []\n");
    expect(read.value).toBeNull();
    expect(read.problems[0]?.line).toBeGreaterThanOrEqual(2);
    expect(read.problems[0]?.source).toBe("browser");
  });

  it("refuses duplicate keys and empty text", () => {
    expect(readInterface("fields: []\nfields: []\n").value).toBeNull();
    expect(readInterface("  \n").problems[0]?.message).toMatch(/empty/);
  });
});

describe("checkShape", () => {
  it("finds the common mistakes with their paths", () => {
    const problems = checkShape({
      fields: [{ name: "t", kind: "text" }, { name: "id", kind: "text" }],
      questions: [
        { name: "t", kind: "choice" },
        { name: "s", kind: "spans", target: "nope", labels: ["A"] },
        { name: "p", kind: "pairwise", target: "t" },
        { name: "x", kind: "colour" },
      ],
    });
    const paths = problems.map((p) => p.path);
    expect(paths).toEqual([
      "fields[1].name",
      "questions[0].name",
      "questions[3].kind",
      "questions[0].options",
      "questions[1].target",
      "questions[2].target",
    ]);
  });

  it("reads YAML as the server does: yes and no are booleans, to be quoted", () => {
    const read = readInterface("fields: [{name: t, kind: text}]\nquestions:\n  - {name: q, kind: choice, options: [yes, no, '3']}\n");
    expect(read.problems.map((p) => [p.path, p.line])).toEqual([
      ["questions[0].options[0]", 3],
      ["questions[0].options[1]", 3],
    ]);
    expect(read.problems[0]?.message).toMatch(/quotes/);
  });

  it("accepts a good interface", () => {
    expect(checkShape({ fields: [{ name: "t", kind: "text" }], questions: [{ name: "s", kind: "spans", target: "t", labels: ["A"] }] })).toEqual([]);
  });
});

describe("lineOfPath", () => {
  it("finds nodes, keys and the parent of a missing key", () => {
    expect(splitPath("questions[1].max")).toEqual(["questions", 1, "max"]);
    expect(lineOfPath(TEXT, "questions[1].max")).toBe(9);
    expect(lineOfPath(TEXT, "questions[0].options")).toBe(6);
    expect(lineOfPath(TEXT, "fields[1].kind")).toBe(4);
    expect(lineOfPath(TEXT, "questions[1].colour")).toBe(7);
    expect(lineOfPath(TEXT, "line 3, column 1")).toBe(3);
    expect(lineOfPath(TEXT, "")).toBeNull();
  });

  it("works on JSON text", () => {
    const json = '{\n  "fields": [\n    {"name": "t", "kind": "text"}\n  ],\n  "questions": [\n    {"name": "q",\n     "kind": "choice"}\n  ]\n}';
    expect(lineOfPath(json, "questions[0].kind")).toBe(7);
    expect(lineOfPath(json, "questions[0].options")).toBe(6);
  });
});

describe("previewData", () => {
  it("keeps the sample's fitting values and fills the rest", () => {
    const iface = { fields: [{ name: "a", kind: "text" }, { name: "b", kind: "text_list" }, { name: "c", kind: "chat" }] };
    const data = previewData(iface, { a: "hello", b: "not a list" });
    expect(data.a).toBe("hello");
    expect(Array.isArray(data.b)).toBe(true);
    expect(Array.isArray(data.c)).toBe(true);
  });

  it("round-trips the stored interface as YAML", () => {
    const value = { fields: [{ name: "t", kind: "text" }], questions: [{ name: "q", kind: "choice", options: [{ value: "a" }] }] };
    const text = interfaceToYaml(value);
    expect(readInterface(text).value).toEqual({ ...value, questions: [{ name: "q", kind: "choice", options: ["a"] }] });
    expect(text).toContain("- {name: t, kind: text}");
    expect(text).toContain("- {name: q, kind: choice, options: [a]}");
  });

  it("quotes what YAML 1.1 would read as something else", () => {
    const value: JsonObject = {
      fields: [{ name: "t", kind: "text" }],
      questions: [{ name: "q", kind: "choice", options: [{ value: "yes" }, { value: "no" }, { value: "7" }, { value: "b", label: "B" }] }],
    };
    const read = readInterface(interfaceToYaml(value)).value;
    expect(read?.questions).toEqual([{ name: "q", kind: "choice", options: ["yes", "no", "7", { value: "b", label: "B" }] }]);
  });
});
