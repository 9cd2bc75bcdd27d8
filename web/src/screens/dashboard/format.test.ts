import { describe, expect, it } from "vitest";
import { ago, decimal, duration, nextSort, percent, sorted } from "./format";

describe("dashboard format", () => {
  it("writes figures, with a dash for none", () => {
    expect(percent(0.6667)).toBe("66.7%");
    expect(percent(null)).toBe("—");
    expect(decimal(60)).toBe("60.00");
    expect(decimal(undefined)).toBe("—");
    expect([duration(45), duration(120), duration(12_600)]).toEqual(["45 s", "2 min", "3.5 h"]);
  });

  it("says how long ago", () => {
    const now = Date.parse("2026-12-04T12:00:00Z");
    expect(ago("2026-12-04T11:59:50Z", now)).toBe("10 s ago");
    expect(ago("2026-12-04T11:57:00Z", now)).toBe("3 min ago");
    expect(ago(null, now)).toBe("never");
  });

  it("sorts both ways, empty figures last", () => {
    const rows = [{ n: 2 }, { n: null }, { n: 5 }];
    const value = (row: { n: number | null }) => row.n;
    expect(sorted(rows, { column: "n", direction: "descending" }, value).map((r) => r.n)).toEqual([5, 2, null]);
    expect(sorted(rows, { column: "n", direction: "ascending" }, value).map((r) => r.n)).toEqual([2, 5, null]);
  });

  it("flips the direction on the same column, starts numbers largest first", () => {
    const first = nextSort({ column: "name", direction: "ascending" }, "submitted", false);
    expect(first).toEqual({ column: "submitted", direction: "descending" });
    expect(nextSort(first, "submitted", false).direction).toBe("ascending");
    expect(nextSort(first, "name", true)).toEqual({ column: "name", direction: "ascending" });
  });
});
