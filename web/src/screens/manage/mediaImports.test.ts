import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../api";
import { parseInterface } from "../../editor/interface";
import { importSourceOf, isMediaDatasetFormat, mediaImportCommand, mediaImportOffersOf, mediaImportTitle, ZIP_LAYOUTS } from "./mediaImports";

const iface = (raw: unknown) => parseInterface(raw as JsonObject);
const offered = (raw: unknown) => {
  const { video, audio } = mediaImportOffersOf(iface(raw));
  return { video: video.map((o) => o.format.value), audio: audio.map((o) => o.format.value) };
};

const TRACKS = {
  fields: [{ name: "clip", kind: "video" }],
  questions: [
    { name: "vehicles", kind: "tracks", target: "clip", shape: "box", labels: ["car"] },
    { name: "people", kind: "tracks", target: "clip", shape: "box", labels: ["pedestrian"] },
    { name: "acts", kind: "events", target: "clip", labels: ["pick"] },
  ],
};
const EVENTS_ONLY = { fields: [{ name: "clip", kind: "video" }], questions: [{ name: "acts", kind: "events", target: "clip", labels: ["pick"] }] };
const AUDIO = {
  fields: [{ name: "rec", kind: "audio" }],
  questions: [
    { name: "speakers", kind: "segments", target: "rec", labels: ["alice"] },
    { name: "words", kind: "transcript", target: "rec" },
  ],
};

describe("mediaImportOffersOf", () => {
  it("offers the video formats the interface exports, but not the export-only events formats", () => {
    expect(offered(TRACKS)).toEqual({ video: ["mot", "cvat-video", "ytvis", "coco-video"], audio: [] });
    expect(offered(EVENTS_ONLY)).toEqual({ video: [], audio: [] });
  });

  it("offers rttm for a segments question and vtt, srt for a transcript, with their questions", () => {
    const { audio } = mediaImportOffersOf(iface(AUDIO));
    expect(audio.map((o) => [o.format.value, o.questions.map((q) => q.name)])).toEqual([
      ["rttm", ["speakers"]],
      ["vtt", ["words"]],
      ["srt", ["words"]],
    ]);
  });

  it("offers nothing to a project with neither kind of field", () => {
    expect(offered({ fields: [{ name: "t", kind: "text" }], questions: [{ name: "q", kind: "text" }] })).toEqual({ video: [], audio: [] });
    expect(offered({ fields: [{ name: "img", kind: "image" }], questions: [{ name: "b", kind: "bbox", target: "img", labels: ["x"] }] })).toEqual({ video: [], audio: [] });
  });
});

describe("the section's words", () => {
  it("is titled by the kinds of dataset the project takes", () => {
    expect(mediaImportTitle(mediaImportOffersOf(iface(TRACKS)))).toBe("Import a video dataset");
    expect(mediaImportTitle(mediaImportOffersOf(iface(AUDIO)))).toBe("Import an audio dataset");
    const both = { fields: [...TRACKS.fields, ...AUDIO.fields], questions: [...TRACKS.questions, ...AUDIO.questions] };
    expect(mediaImportTitle(mediaImportOffersOf(iface(both)))).toBe("Import a video or audio dataset");
  });

  it("says what each zip holds", () => {
    expect(ZIP_LAYOUTS.mot).toContain("seqinfo.ini, gt/gt.txt");
    expect(ZIP_LAYOUTS.vtt).toContain("talks/day1.vtt goes with talks/day1.wav");
    for (const layout of Object.values(ZIP_LAYOUTS)) expect(layout).toContain("at the zip's top or in its one folder");
    expect(isMediaDatasetFormat("events_csv")).toBe(false);
    expect(isMediaDatasetFormat("coco-video")).toBe(true);
  });
});

describe("mediaImportCommand", () => {
  it("names the question only when several suit, and the source when there is one", () => {
    const [mot] = mediaImportOffersOf(iface(TRACKS)).video;
    expect(mot && mediaImportCommand(12, mot, "people", "")).toBe("accord import 12 MOT17/train --format mot --question people --wait");
    const [rttm, vtt] = mediaImportOffersOf(iface(AUDIO)).audio;
    expect(rttm && mediaImportCommand(3, rttm, "speakers", "")).toBe("accord import 3 diarization.rttm --format rttm --media recordings/ --wait");
    expect(vtt && mediaImportCommand(3, vtt, "words", " vendor a ")).toBe("accord import 3 subtitles/ --format vtt --media recordings/ --source 'vendor a' --wait");
    expect(vtt && mediaImportCommand(3, vtt, "words", "it's")).toBe(`accord import 3 subtitles/ --format vtt --media recordings/ --source 'it'"'"'s' --wait`);
  });
});

describe("importSourceOf", () => {
  const both = { images: true, media: true };
  it("follows a running import in the section its format belongs to", () => {
    expect(importSourceOf("mot", both)).toBe("media");
    expect(importSourceOf("vtt", both)).toBe("media");
    expect(importSourceOf("coco", both)).toBe("images");
    expect(importSourceOf("jsonl", both)).toBe("file");
    expect(importSourceOf(undefined, both)).toBe("file");
  });
  it("falls back to the file's section when the page does not show the format's", () => {
    expect(importSourceOf("mot", { images: true, media: false })).toBe("file");
    expect(importSourceOf("yolo", { images: false, media: true })).toBe("file");
  });
});
