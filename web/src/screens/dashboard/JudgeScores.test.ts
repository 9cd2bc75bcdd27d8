import { describe, expect, it } from "vitest";
import type { QuestionScores } from "../../api";
import { judgeRows } from "./JudgeScores";

const judge = { model_version: "llm:gpt-x", tasks: 10, tasks_with_people: 8, agreement: 0.75, gold_tasks: 2, gold_accuracy: 0.5 };

describe("judgeRows", () => {
  it("makes a row per judge and question, a rubric's per criterion", () => {
    const scores: QuestionScores[] = [
      { question: "quality", kind: "rating", criterion: null, people_agreement: { pairs: 4, agreement: 0.5 }, judges: [judge] },
      { question: "better", kind: "pairwise", criterion: null, people_agreement: { pairs: 0, agreement: null }, judges: [] },
      { question: "rubric", kind: "rubric", criterion: "accurate", people_agreement: { pairs: 3, agreement: 1 }, judges: [judge, { ...judge, model_version: "llm:other" }] },
    ];
    const rows = judgeRows(scores);
    expect(rows.map((r) => `${r.question}|${r.judge}`)).toEqual(["quality|gpt-x", "rubric: accurate|gpt-x", "rubric: accurate|other"]);
    expect(rows[0]).toMatchObject({ tasks: 10, withPeople: 8, agreement: 0.75, people: 0.5, pairs: 4, goldTasks: 2, gold: 0.5 });
    expect(new Set(rows.map((r) => r.key)).size).toBe(3);
  });

  it("has nothing to show before a judge answered", () => {
    expect(judgeRows([{ question: "q", kind: "rating", criterion: null, people_agreement: { pairs: 1, agreement: 1 }, judges: [] }])).toEqual([]);
  });
});
