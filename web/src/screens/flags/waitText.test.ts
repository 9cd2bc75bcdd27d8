import { describe, expect, it } from "vitest";
import { waitText } from "./waitText";
import { skipReason } from "./FlagDialog";
import { diffText } from "./PromoteDialog";

describe("flags' small helpers", () => {
  it("says waits in words", () => {
    expect(waitText(null)).toBe("—");
    expect(waitText(44.6)).toBe("45 s");
    expect(waitText(720)).toBe("12 min");
    expect(waitText(3.5 * 3600)).toBe("3.5 h");
    expect(waitText(2.1 * 86_400)).toBe("2.1 d");
  });

  it("makes a skip reason of a question, on one line and short", () => {
    expect(skipReason("Is   this\nsarcasm?")).toBe("Flagged as unclear: Is this sarcasm?");
    expect(skipReason("x".repeat(500)).length).toBeLessThan(230);
  });

  it("reads the conflict's diff", () => {
    expect(diffText({ diff: { text: "-a\n+b" } })).toBe("-a\n+b");
    expect(diffText(null)).toBe("");
    expect(diffText({ diff: "x" })).toBe("");
  });
});
