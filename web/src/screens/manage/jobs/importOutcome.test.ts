import { describe, expect, it } from "vitest";
import { job } from "./testJob";
import { importOutcome, reportOf } from "./importOutcome";

describe("how an import job ended", () => {
  it("is not over while it runs", () => {
    expect(importOutcome(job({ state: "queued" }))).toBeNull();
    expect(importOutcome(job({ state: "running" }))).toBeNull();
  });

  it("gives the report of a finished import", () => {
    const result = { import_id: 4, created: 2500, duplicates: 1, skipped: 2, predictions: 0, gold: 0, errors: [{ line: 3, field: "text", message: "missing" }], duplicate_ids: ["r1"] };
    const outcome = importOutcome(job({ state: "succeeded", result }));
    expect(outcome).toEqual({ kind: "done", report: result, lateCancel: false });
    expect(importOutcome(job({ state: "succeeded", result, cancel_requested: true }))).toMatchObject({ kind: "done", lateCancel: true });
  });

  it("keeps a dataset's counts and a source's annotations", () => {
    const result = {
      import_id: 5,
      created: 2,
      predictions: 1,
      dataset: { images: 2, skipped_labels: { zebra: 1 }, from_zip: 2, new_from_zip: 2, unnamed_in_zip: 0, unnamed_examples: [] },
      source: "vendor-a",
      annotations: 1,
      left_as_predictions: 1,
      left_tasks: [{ task_id: 9, id: "b.png", reason: "the row had 2 predictions; a source gives one answer" }],
    };
    const report = reportOf(result);
    expect(report.dataset).toEqual(result.dataset);
    expect(report).toMatchObject({ source: "vendor-a", annotations: 1, left_as_predictions: 1, left_tasks: result.left_tasks });
  });

  it("reads a report with missing parts as zeros and empty lists", () => {
    expect(reportOf({ created: 3 })).toEqual({ import_id: null, created: 3, duplicates: 0, skipped: 0, predictions: 0, gold: 0, errors: [], duplicate_ids: [] });
    expect(reportOf(null).created).toBe(0);
  });

  it("shows a refused file's bad rows", () => {
    const refused = job({
      state: "failed",
      error: "line 2: no value for the field text. Nothing was imported.",
      result: { details: { errors: [{ line: 2, field: "text", message: "required" }], bad_lines: 5 } },
    });
    expect(importOutcome(refused)).toEqual({
      kind: "refused",
      message: "line 2: no value for the field text. Nothing was imported.",
      errors: [{ line: 2, field: "text", message: "required" }],
      badLines: 5,
    });
  });

  it("says why any other failure happened", () => {
    expect(importOutcome(job({ state: "failed", error: "the bucket is unreachable; gave up after 3 attempts" }))).toEqual({
      kind: "failed",
      message: "the bucket is unreachable; gave up after 3 attempts",
    });
  });

  it("says a cancelled import imported nothing, unless its worker died past its start", () => {
    expect(importOutcome(job({ state: "cancelled", cancel_requested: true }))).toEqual({ kind: "cancelled", message: "Import cancelled: nothing was imported." });
    const died = importOutcome(job({ state: "cancelled", cancel_requested: true, error: "its worker stopped answering; the job was cancelled", result: { import_id: 9 } }));
    expect(died?.kind).toBe("cancelled");
    expect(died && "message" in died ? died.message : "").toContain("import 9");
  });
});
