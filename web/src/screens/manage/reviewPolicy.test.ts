import { describe, expect, it } from "vitest";
import { policyWords } from "./reviewPolicy";

const NONE = { review_share: 0, review_first: 0, review_below_confidence: 0, review_disagreements: false };

describe("the review policy in words", () => {
  it("says each part the project asks for", () => {
    expect(policyWords(NONE)).toBe("nothing is sent to review.");
    expect(policyWords({ ...NONE, review_share: 1 })).toBe("reviewed: every submission.");
    expect(policyWords({ ...NONE, review_first: 5, review_share: 0.2 })).toBe(
      "reviewed: each annotator's first 5 submissions; then 20% of the rest, drawn at random.",
    );
    expect(policyWords({ ...NONE, review_first: 5 })).toBe("reviewed: each annotator's first 5 submissions.");
    expect(policyWords({ ...NONE, review_below_confidence: 0.5, review_disagreements: true })).toBe(
      "reviewed: submissions on tasks whose best prediction scores below 0.5; answers that disagree with most of the task's earlier answers.",
    );
  });
});
