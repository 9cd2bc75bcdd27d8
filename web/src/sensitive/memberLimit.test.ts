import { describe, expect, it } from "vitest";
import { limitText, parseMemberLimit } from "./memberLimit";

describe("a member's own sensitive limit", () => {
  it("takes a whole number, 0 for no limit, or the project's default", () => {
    expect(parseMemberLimit(" 5 ", false, "ann")).toEqual({ limit: 5 });
    expect(parseMemberLimit("0", false, "ann")).toEqual({ limit: 0 });
    expect(parseMemberLimit("anything", true, "ann")).toEqual({ limit: null });
  });

  it("says what is wrong, for whom, and what to do", () => {
    expect(parseMemberLimit("", false, "ann@example.org")).toEqual({
      error: 'Daily limit for ann@example.org: is empty; write one (0: no limit), or tick "project default".',
    });
    for (const typed of ["-1", "2.5", "1e3", "100001", "ten"]) {
      const parsed = parseMemberLimit(typed, false, "ann");
      expect(parsed).toHaveProperty("error");
      expect("error" in parsed && parsed.error).toContain(`"${typed}" is not a whole number from 0 to 100000`);
    }
  });

  it("reads a limit", () => {
    expect(limitText(0)).toBe("no limit");
    expect(limitText(3)).toBe("3 a day");
  });
});
