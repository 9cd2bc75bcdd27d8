import { describe, expect, it } from "vitest";
import {
  attemptText,
  formatAmount,
  formatBytes,
  formatDuration,
  formatEta,
  formatPace,
  formatProgress,
  formatRate,
  progressWords,
  resultSummary,
  runSeconds,
  stateLine,
} from "./format";
import { job } from "./testJob";

describe("job progress, written for people", () => {
  it("writes bytes in binary units", () => {
    expect([formatBytes(0), formatBytes(1023), formatBytes(1024), formatBytes(1536)]).toEqual(["0 B", "1023 B", "1.0 KiB", "1.5 KiB"]);
    expect(formatBytes(12.3 * 1024 * 1024)).toBe("12.3 MiB");
    expect(formatBytes(3 * 1024 ** 3)).toBe("3.0 GiB");
  });

  it("counts other units, singular and plural", () => {
    expect(formatAmount(1, "tasks")).toBe("1 task");
    expect(formatAmount(1, "videos")).toBe("1 video");
    expect(formatAmount(3, "recordings")).toBe("3 recordings");
    expect(formatAmount(12345, "rows")).toBe("12,345 rows");
    expect(formatAmount(2048, "bytes")).toBe("2.0 KiB");
    expect(formatAmount(3, "widgets")).toBe("3 widgets");
  });

  it("says done of total with the share, or only what is done", () => {
    expect(formatProgress(job({ done: 1024 * 1024, total: 4 * 1024 * 1024, percent: 25 }))).toBe("1.0 MiB of 4.0 MiB (25%)");
    expect(formatProgress(job({ unit: "tasks", done: 300, total: 1000, percent: 30 }))).toBe("300 of 1,000 tasks (30%)");
    expect(formatProgress(job({ unit: "tasks", done: 999, total: 1000, percent: null }))).toBe("999 of 1,000 tasks (99%)");
    expect(formatProgress(job({ unit: "bytes", done: 5000, total: null }))).toBe("4.9 KiB");
  });

  it("writes the rate and the time left, nothing when unknown", () => {
    expect(formatRate(2.2 * 1024 * 1024, "bytes")).toBe("2.2 MiB/s");
    expect(formatRate(1250.4, "tasks")).toBe("1,250 tasks/s");
    expect(formatRate(0.5, "rows")).toBe("0.5 rows/s");
    expect([formatRate(null, "rows"), formatRate(0, "rows"), formatRate(Infinity, "rows")]).toEqual(["", "", ""]);
    expect(formatEta(14.2)).toBe("about 15 s left");
    expect(formatEta(2.1)).toBe("about 3 s left");
    expect(formatEta(0.3)).toBe("less than a second left");
    expect(formatEta(185)).toBe("about 3 min 5 s left");
    expect([formatEta(null), formatEta(-1)]).toEqual(["", ""]);
  });

  it("writes the pace only while it runs", () => {
    const running = job({ rate: 2048, eta_seconds: 30 });
    expect(formatPace(running)).toBe("2.0 KiB/s · about 30 s left");
    expect(formatPace({ ...running, eta_seconds: null })).toBe("2.0 KiB/s");
    expect(formatPace({ ...running, state: "succeeded" })).toBe("");
  });

  it("writes durations", () => {
    expect([formatDuration(0.42), formatDuration(3), formatDuration(12), formatDuration(60), formatDuration(185)]).toEqual(["0.4 s", "3 s", "12 s", "1 min", "3 min 5 s"]);
    expect([formatDuration(3600), formatDuration(4800), formatDuration(7199)]).toEqual(["1 h", "1 h 20 min", "2 h"]);
  });

  it("counts the run from its start to its end, or to now", () => {
    const now = Date.parse("2026-05-01T10:00:11Z");
    expect(runSeconds(job(), now)).toBe(10);
    expect(runSeconds(job({ finished_at: "2026-05-01T10:00:03.500Z" }), now)).toBe(2.5);
    expect(runSeconds(job({ started_at: null, state: "queued" }), now)).toBeNull();
  });

  it("says a retry from the second attempt", () => {
    expect(attemptText(job({ attempts: 1 }))).toBeNull();
    expect(attemptText(job({ attempts: 2 }))).toBe("Retry: attempt 2 of 3");
    expect(attemptText(job({ attempts: 4, state: "queued" }))).toBe("Retry: attempt 4 of 4");
    expect(attemptText(job({ attempts: 2, state: "failed" }))).toBe("after 2 attempts");
  });

  it("says where the job is", () => {
    expect(stateLine(job())).toBe("Running · checking and staging rows");
    expect(stateLine(job({ state: "succeeded", phase: "done" }))).toBe("Succeeded");
    expect(stateLine(job({ state: "failed", phase: "failed" }))).toBe("Failed");
    expect(stateLine(job({ cancel_requested: true }))).toBe("Cancelling · checking and staging rows");
    expect(stateLine(job({ state: "cancelled", phase: "cancelled before it started", cancel_requested: true }))).toBe("Cancelled before it started");
    expect(stateLine(job({ state: "queued", phase: "waiting for a worker (retry)" }))).toBe("Queued · waiting for a worker (retry)");
  });

  it("words the progress column", () => {
    expect(progressWords(job({ state: "queued", started_at: null }))).toBe("waiting");
    expect(progressWords(job({ state: "cancelled", started_at: null }))).toBe("did not start");
    expect(progressWords(job({ unit: "tasks", done: 5, total: 10, percent: 50 }))).toBe("5 of 10 tasks (50%)");
  });

  it("sums up what a job made, or why it did not", () => {
    const imported = job({ state: "succeeded", result: { created: 2500, duplicates: 3, skipped: 0 } });
    expect(resultSummary(imported)).toBe("2,500 created · 3 duplicates");
    const exported = job({ kind: "export", state: "succeeded", result: { filename: "project-1.jsonl", bytes: 2048, tasks: 300 } });
    expect(resultSummary(exported)).toBe("project-1.jsonl · 2.0 KiB · 300 tasks");
    expect(resultSummary(job({ state: "failed", error: "line 2: no text" }))).toBe("line 2: no text");
    expect(resultSummary(job({ state: "cancelled" }))).toBe("Nothing was imported.");
    expect(resultSummary(job({ kind: "export", state: "cancelled", started_at: null }))).toBe("Cancelled before it ran.");
    expect(resultSummary(job({ kind: "export", state: "cancelled" }))).toBe("Stopped before it finished.");
    expect(resultSummary(job())).toBe("");
  });
});
