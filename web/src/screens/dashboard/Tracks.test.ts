import { describe, expect, it } from "vitest";
import type { Metrics } from "../../api";
import { trackRows } from "./Tracks";

const scores = (n: number, mota: number, idf1: number) => ({ n, mota_mean: mota, mota_median: mota, idf1_mean: idf1, idf1_median: idf1 });

describe("the dashboard's tracks rows", () => {
  it("lists gold then pairs per tracks question, as a whole then per annotator by name", () => {
    const metrics = {
      names: { "7": "Ann" },
      tracks: {
        cars: { shape: "box", gold: { ...scores(0, 0, 0), by_annotator: {} }, agreement: { ...scores(4, 0.625, 0.8333), by_annotator: { "7": scores(2, 0.5, 0.8333), "9": scores(2, 0.75, 0.8333) } } },
      },
    } as unknown as Metrics;
    const rows = trackRows(metrics);
    expect(rows.map((r) => [r.question, r.against, r.who, r.n, r.mota_mean])).toEqual([
      ["cars", "other annotators", "all", 4, 0.625],
      ["cars", "other annotators", "Ann", 2, 0.5],
      ["cars", "other annotators", "#9", 2, 0.75],
    ]);
  });
  it("has no rows without tracks figures", () => {
    expect(trackRows({ names: {} } as unknown as Metrics)).toEqual([]);
  });
});
