import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../api";
import { budgetText, callParameters, callTokens, latencyText, llmTargets, mostCandidates, share, versusPeople } from "./llmText";

describe("llmTargets", () => {
  const raw: JsonObject = {
    fields: [
      { name: "prompt", kind: "text" },
      { name: "responses", kind: "text_list", label: "Responses", max_items: 3 },
      { name: "more", kind: "text_list" },
    ],
    questions: [
      { name: "topic", kind: "choice", options: ["a"] },
      { name: "better", kind: "pairwise", target: "responses" },
      { name: "quality", kind: "rating", label: "Quality" },
      { name: "rubric", kind: "rubric", criteria: [] },
    ],
  };

  it("finds the text_list fields and the judged questions", () => {
    const { lists, judged } = llmTargets(raw);
    expect(lists).toEqual([
      { name: "responses", label: "Responses", maxItems: 3 },
      { name: "more", label: "", maxItems: null },
    ]);
    expect(judged.map((q) => `${q.name}:${q.kind}`)).toEqual(["better:pairwise", "quality:rating", "rubric:rubric"]);
  });

  it("reads an interface given as text, and survives broken ones", () => {
    expect(llmTargets(JSON.stringify(raw)).lists).toHaveLength(2);
    expect(llmTargets("not json")).toEqual({ lists: [], judged: [] });
    expect(llmTargets({ fields: "x", questions: [null, 3] } as never)).toEqual({ lists: [], judged: [] });
  });

  it("caps the candidates at the field's max_items and at 10", () => {
    expect(mostCandidates({ name: "r", label: "", maxItems: 3 })).toBe(3);
    expect(mostCandidates({ name: "r", label: "", maxItems: null })).toBe(10);
    expect(mostCandidates({ name: "r", label: "", maxItems: 50 })).toBe(10);
    expect(mostCandidates(undefined)).toBe(10);
  });
});

describe("a call's figures", () => {
  it("says what a call was sent with", () => {
    expect(callParameters({ temperature: 0.7, max_tokens: 1024, question: "quality" })).toBe("temperature 0.7 · at most 1,024 tokens · question quality");
    expect(callParameters({ index: 2, n: 3 })).toBe("candidate 2 of 3");
    expect(callParameters({})).toBe("");
  });

  it("marks estimated tokens", () => {
    expect(callTokens({ prompt_tokens: 1200, completion_tokens: 34, parameters: {} })).toBe("1,200 + 34");
    expect(callTokens({ prompt_tokens: 12, completion_tokens: 3, parameters: { tokens_estimated: true } })).toBe("≈ 12 + 3");
  });

  it("writes the latency", () => {
    expect(latencyText(null)).toBe("—");
    expect(latencyText(84.6)).toBe("85 ms");
    expect(latencyText(1234)).toBe("1.2 s");
  });
});

describe("the budget", () => {
  it("says what is used and left", () => {
    expect(budgetText({ tokens_used: 1234, token_budget: 10000 })).toBe("1,234 of 10,000 tokens used · 8,766 left");
    expect(budgetText({ tokens_used: 12000, token_budget: 10000 })).toBe("12,000 of 10,000 tokens used · 0 left");
    expect(budgetText({ tokens_used: 5, token_budget: null })).toBe("5 tokens used (no budget: no cap)");
  });
});

describe("the judge's scores", () => {
  it("reads shares and the difference from people", () => {
    expect(share(null)).toBe("—");
    expect(share(0.6667)).toBe("67%");
    expect(versusPeople(0.5, 0.62)).toBe("−12 points");
    expect(versusPeople(0.71, 0.7)).toBe("+1 point");
    expect(versusPeople(0.7, 0.7)).toBe("same as people");
    expect(versusPeople(null, 0.7)).toBe("—");
  });
});
