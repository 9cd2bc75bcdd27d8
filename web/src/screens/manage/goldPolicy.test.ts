import { describe, expect, it } from "vitest";
import type { Project } from "../../api";
import { goldPolicyWords } from "./goldPolicy";

const base = { gold_rate: 0, gold_feedback: false, gold_pause_below: 0, gold_pause_min: 10, qualification_pass: 0, qualification_attempts: 2 } as Project;

describe("goldPolicyWords", () => {
  it("says when nothing is on", () => {
    expect(goldPolicyWords(base)).toBe("No gold is mixed into the queue. No qualification is required.");
  });
  it("says the rate, feedback, pause and qualification", () => {
    const words = goldPolicyWords({ ...base, gold_rate: 0.1, gold_feedback: true, gold_pause_below: 0.7, gold_pause_min: 5, qualification_pass: 0.8, qualification_attempts: 1 });
    expect(words).toContain("About 10% of the tasks served are gold.");
    expect(words).toContain("see the expected answer");
    expect(words).toContain("below 70% over 5 gold tasks");
    expect(words).toContain("at least 80% on the qualification (1 attempt)");
  });
});
