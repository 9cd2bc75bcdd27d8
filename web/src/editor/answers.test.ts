import { describe, expect, it } from "vitest";
import { answerGap, compileTextRules, isEmptyAnswer, localProblems } from "./answers";
import { parseInterface } from "./interface";
import { RuleEngine } from "./ruleEngine";

const iface = parseInterface({
  fields: [
    { name: "chat", kind: "chat" },
    { name: "text", kind: "text" },
    { name: "pair", kind: "text_list" },
    { name: "photo", kind: "image" },
  ],
  questions: [
    {
      name: "judge",
      kind: "rubric",
      criteria: [{ name: "accurate", label: "Accurate", type: "pass_fail" }, { name: "clear" }, { name: "deep", label: "Depth" }],
    },
    { name: "turns", kind: "turns", target: "chat", rating: { min: 1, max: 5 }, all_turns: true },
    { name: "some", kind: "turns", target: "chat", rating: { min: 1, max: 5 } },
    { name: "tags", kind: "choice", options: ["a", "b", "c"], multiple: true, min_choices: 2 },
    { name: "marks", kind: "spans", target: "text", labels: ["X"], min_spans: 2 },
    { name: "better", kind: "pairwise", target: "pair", strength_required: true },
    { name: "boxes", kind: "boxes", target: "photo", labels: ["car"], min_objects: 2 },
    { name: "scene", kind: "image_class", target: "photo", options: ["in", "out", "both"], multiple: true, min_choices: 2 },
  ],
});
const data = {
  chat: [
    { role: "user", content: "q" },
    { role: "assistant", content: "a" },
    { role: "user", content: "q" },
    { role: "assistant", content: "b" },
    { role: "assistant", content: "c" },
  ],
  text: "x y",
  pair: ["a", "b"],
};
const q = (name: string) => {
  const question = iface.questions.find((x) => x.name === name);
  if (!question) throw new Error(name);
  return question;
};

describe("answerGap (what a started answer still needs)", () => {
  it("names every criterion not judged", () => {
    expect(answerGap(q("judge"), { criteria: { clear: 2 } }, data)).toEqual({
      short: "1 of 3 judged",
      message: "Not judged yet: Accurate and Depth. Every criterion needs a verdict.",
    });
    expect(answerGap(q("judge"), { criteria: { accurate: false, clear: 2, deep: 1 } }, data)).toBeNull();
  });

  it("names every turn left out when all turns must be judged", () => {
    expect(answerGap(q("turns"), { turns: [{ index: 3, rating: 2 }] }, data)).toEqual({
      short: "1 of 3 turns judged",
      message: "Not judged yet: turns #1 and #4. This question asks you to judge every assistant turn.",
    });
    expect(answerGap(q("some"), { turns: [{ index: 3, rating: 2 }] }, data)).toBeNull();
  });

  it("knows the other kinds' minimums", () => {
    expect(answerGap(q("tags"), { choices: ["a"] }, data)?.message).toBe("Pick at least 2 options (1 picked so far).");
    expect(answerGap(q("marks"), { spans: [{ start: 0, end: 1, label: "X" }] }, data)?.message).toBe("Mark at least 2 spans (1 so far).");
    expect(answerGap(q("better"), { choice: "B" }, data)?.message).toBe("Say how much better B is, from 1 to 3.");
    expect(answerGap(q("better"), { choice: "tie" }, data)).toBeNull();
    const box = { id: "1", label: "car", x: 1, y: 1, w: 2, h: 2 };
    expect(answerGap(q("boxes"), { objects: [box] }, data)?.message).toBe("Draw at least 2 (1 so far).");
    expect(answerGap(q("boxes"), { objects: [box, { ...box, id: "2" }] }, data)).toBeNull();
    expect(answerGap(q("scene"), { choices: ["in"] }, data)?.message).toBe("Pick at least 2 options (1 picked so far).");
  });

  it("counts no objects and no picks as no answer", () => {
    expect(isEmptyAnswer(q("boxes"), { objects: [] })).toBe(true);
    expect(isEmptyAnswer(q("scene"), { choices: [] })).toBe(true);
    expect(isEmptyAnswer(q("boxes"), { objects: [{ id: "1" }] })).toBe(false);
  });

  it("blocks the submit with all of it, before any round trip", () => {
    const problems = localProblems(iface, { judge: { criteria: {} , comment: "hm" }, turns: { turns: [{ index: 1, rating: 5 }] } }, data, new Map(), new RuleEngine(null));
    expect(problems).toEqual([
      { path: "result.judge", message: "Not judged yet: Accurate, clear and Depth. Every criterion needs a verdict." },
      { path: "result.turns", message: "Not judged yet: turns #3 and #4. This question asks you to judge every assistant turn." },
    ]);
  });
});

describe("polygons that cross themselves", () => {
  const bowtie = { objects: [{ id: "ok", label: "roof", points: [[0, 0], [10, 0], [10, 10]] }, { id: "x", label: "roof", points: [[10, 10], [30, 30], [30, 10], [10, 30]] }] };
  const shapes = (selfIntersection: string) =>
    parseInterface({
      fields: [{ name: "image", kind: "image" }],
      questions: [{ name: "roofs", kind: "polygons", target: "image", labels: ["roof"], self_intersection: selfIntersection }],
    });

  it("are refused before submit with the server's path and words, under refuse only", () => {
    const refuse = shapes("refuse");
    expect(refuse.questions[0]).toMatchObject({ selfIntersection: "refuse" });
    expect(localProblems(refuse, { roofs: bowtie }, {}, new Map(), new RuleEngine(null))).toEqual([
      {
        path: "result.roofs.objects[1].points",
        message: "the outline crosses or touches itself (or all its points lie on one line); redraw it, or split it into several polygons",
      },
    ]);
    for (const accepted of ["warn", "allow"]) {
      const iface = shapes(accepted);
      expect(iface.questions[0]).toMatchObject({ selfIntersection: accepted });
      expect(localProblems(iface, { roofs: bowtie }, {}, new Map(), new RuleEngine(null))).toEqual([]);
    }
  });
});

describe("a transcript's texts", () => {
  it("stop the submit where the server would refuse one, at its path, and never for a warning", () => {
    const iface = parseInterface({
      fields: [{ name: "talk", kind: "audio" }],
      questions: [{ name: "said", kind: "transcript", target: "talk", min_length: 2, checks: [{ kind: "words", max: 3 }, { kind: "words", min: 2, level: "warn" }] }],
    });
    const segments = [
      { id: "s1", start: 0, end: 1, text: "one two three four" },
      { id: "s2", start: 1, end: 2, text: "fine" },
      { id: "s3", start: 2, end: 3, text: "x" },
    ];
    expect(localProblems(iface, { said: { segments } }, {}, compileTextRules(iface), new RuleEngine(null))).toEqual([
      { path: "result.said.segments[0].text", message: "words check: 4 words; write at most 3" },
      { path: "result.said.segments[2].text", message: "1 characters; write at least 2" },
    ]);
    expect(localProblems(iface, { said: { segments: segments.slice(1, 2) } }, {}, compileTextRules(iface), new RuleEngine(null))).toEqual([]);
  });
});
