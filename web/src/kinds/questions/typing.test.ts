import { beforeEach, describe, expect, it } from "vitest";
import { noteChange, notePaste, resetTyping, takeTyping } from "./typing";

describe("typing counts", () => {
  beforeEach(resetTyping);

  it("counts typed characters and pasted ones apart", () => {
    noteChange("why", "", "a");
    noteChange("why", "a", "ab");
    notePaste("why", "pasted 🙂 text");
    noteChange("why", "ab", "abpasted 🙂 text");
    noteChange("why", "abpasted 🙂 text", "abpasted");
    expect(takeTyping()).toEqual({ why: { typed: 2, pasted: 13 } });
    expect(takeTyping()).toBeUndefined();
  });

  it("counts what is typed over a selection", () => {
    noteChange("why", "old text", "n");
    noteChange("why", "n", "ne");
    noteChange("why", "abcabc", "abcXabc");
    expect(takeTyping()).toEqual({ why: { typed: 3, pasted: 0 } });
  });

  it("keeps questions apart", () => {
    notePaste("a", "xyz");
    noteChange("a", "", "xyz");
    noteChange("b", "", "q");
    expect(takeTyping()).toEqual({ a: { typed: 0, pasted: 3 }, b: { typed: 1, pasted: 0 } });
  });
});
