import { describe, expect, it } from "vitest";
import { job } from "./jobs/testJob";
import { importOutcome, reportOf } from "./jobs/importOutcome";
import { mediaDatasetLines, mediaDatasetOf } from "./mediaDatasetReport";

const MOT = { sequences: 1, uploaded: 1, encoded: 1, rows: 53, ignored: 1, clipped: 0, outside: 2, tracks: 2, keyframes: 22 };

describe("mediaDatasetOf", () => {
  it("reads a video or audio dataset's counts, and leaves an image dataset's alone", () => {
    expect(mediaDatasetOf(MOT, "mot")).toEqual({ format: "mot", skipped: {}, ...MOT });
    expect(mediaDatasetOf({ recordings: 2, uploaded: 0, skipped: { carol: 3, bad: "x" } }, "rttm")).toEqual({
      format: "rttm",
      recordings: 2,
      uploaded: 0,
      skipped: { carol: 3 },
    });
    expect(mediaDatasetOf({ images: 3, skipped_labels: {} }, "coco")).toBeNull();
    expect(mediaDatasetOf(null, "mot")).toBeNull();
    expect(mediaDatasetOf({ videos: 1, uploaded: 1 }, "nope")?.format).toBeNull();
  });
});

describe("mediaDatasetLines", () => {
  it("says a MOT dataset's counts as the CLI does", () => {
    const report = mediaDatasetOf(MOT, "mot");
    expect(report && mediaDatasetLines(report)).toEqual([
      "Uploaded 1 video (1 new to the project's media, 1 made from frames): 2 tracks, 22 keyframes from 53 rows.",
      "Left out 1 row with conf 0 (ignored in MOT).",
      "Left out 2 boxes wholly out of the picture.",
    ]);
  });

  it("says what a CVAT video dataset left out, by kind", () => {
    const skipped = { "road (box)": 1, "attribute notes": 4, "tracks' group_id: Accord has no groups of tracks": 2 };
    const report = mediaDatasetOf({ videos: 2, uploaded: 0, tracks: 1, keyframes: 8, skipped }, "cvat-video");
    expect(report && mediaDatasetLines(report)).toEqual([
      "Uploaded 2 videos (0 new to the project's media): 1 track, 8 keyframes.",
      "Left out 4 values of the attribute notes: no question takes it.",
      "Left out 1 track of road (box): no question takes it.",
      "Left out 2 tracks' group_id: Accord has no groups of tracks.",
    ]);
  });

  it("says an audio dataset's turns or voices left out by its format", () => {
    const rttm = mediaDatasetOf({ recordings: 1, uploaded: 1, skipped: { carol: 2 } }, "rttm");
    expect(rttm && mediaDatasetLines(rttm)).toEqual([
      "Uploaded 1 recording (1 new to the project's media).",
      "Left out 2 turns of “carol”: neither a speaker nor a label of the question.",
    ]);
    const vtt = mediaDatasetOf({ recordings: 2, uploaded: 2, skipped: { Zed: 1 } }, "vtt");
    expect(vtt && mediaDatasetLines(vtt)).toEqual([
      "Uploaded 2 recordings (2 new to the project's media).",
      "Dropped the voice “Zed” of 1 cue: not a speaker of the question.",
    ]);
  });
});

describe("an import job's report", () => {
  it("holds a media dataset's counts from the job's `media_dataset`, worded by the job's format", () => {
    const result = { created: 1, predictions: 1, media_dataset: { recordings: 1, uploaded: 1, skipped: {} } };
    const outcome = importOutcome(job({ state: "succeeded", result, params: { format: "vtt" } }));
    expect(outcome).toMatchObject({ kind: "done", report: { created: 1, media_dataset: { format: "vtt", recordings: 1, uploaded: 1 } } });
    expect(outcome?.kind === "done" && outcome.report.dataset).toBeUndefined();
    const older = { created: 1, predictions: 1, dataset: { recordings: 1, uploaded: 1, skipped: {} } };
    expect(importOutcome(job({ state: "succeeded", result: older, params: { format: "vtt" } }))).toMatchObject({ report: { media_dataset: { recordings: 1 } } });
  });

  it("reads `media_dataset` from an answer, and keeps an image dataset's counts as before", () => {
    expect(reportOf({ created: 1, media_dataset: MOT }, "mot").media_dataset?.sequences).toBe(1);
    const image = reportOf({ created: 2, dataset: { images: 2, skipped_labels: {}, from_zip: 2 } });
    expect(image.media_dataset).toBeUndefined();
    expect(image.dataset?.from_zip).toBe(2);
  });
});
