import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../api";
import { parseInterface } from "../../editor/interface";
import { mediaContentRefusal, mediaOffersOf, questionOf, questionText, questionsFor, suitableKind } from "./mediaFormats";

const iface = (raw: unknown) => parseInterface(raw as JsonObject);
const names = (questions: { name: string }[]) => questions.map((q) => q.name);
const offered = (raw: unknown) => {
  const { video, audio } = mediaOffersOf(iface(raw));
  return {
    video: Object.fromEntries(video.map((o) => [o.format.value, names(o.questions)])),
    audio: Object.fromEntries(audio.map((o) => [o.format.value, names(o.questions)])),
  };
};

const TRACKS = {
  fields: [{ name: "clip", kind: "video" }],
  questions: [
    { name: "notes", kind: "text" },
    { name: "vehicles", kind: "tracks", target: "clip", shape: "box", labels: ["car"] },
    { name: "people", kind: "tracks", target: "clip", shape: "box", labels: ["pedestrian"] },
    { name: "lines", kind: "tracks", target: "clip", shape: "polygon", labels: ["a"] },
    { name: "acts", kind: "events", target: "clip", labels: ["pick"] },
  ],
};
const AUDIO = {
  fields: [{ name: "rec", kind: "audio" }],
  questions: [
    { name: "speakers", kind: "segments", target: "rec", labels: ["alice"] },
    { name: "noises", kind: "segments", target: "rec", labels: ["dog"], label: "Noises heard" },
    { name: "words", kind: "transcript", target: "rec" },
  ],
};

describe("mediaOffersOf", () => {
  it("offers the video formats a tracks and events project makes, with mot's questions", () => {
    expect(offered(TRACKS)).toEqual({
      video: { mot: ["vehicles", "people"], "cvat-video": [], ytvis: [], "coco-video": [], events_csv: [], events_json: [] },
      audio: {},
    });
  });

  it("offers the audio formats, rttm with its segments questions and vtt, srt with the transcript", () => {
    expect(offered(AUDIO)).toEqual({ video: {}, audio: { rttm: ["speakers", "noises"], vtt: ["words"], srt: ["words"] } });
  });

  it("offers nothing for a text project, nor for questions over the wrong field", () => {
    expect(offered({ fields: [{ name: "t", kind: "text" }], questions: [{ name: "q", kind: "text" }] })).toEqual({ video: {}, audio: {} });
    const wrong = {
      fields: [{ name: "t", kind: "text" }, { name: "clip", kind: "video" }],
      questions: [
        { name: "a", kind: "tracks", target: "t", shape: "box", labels: ["x"] },
        { name: "b", kind: "segments", target: "clip", labels: ["x"] },
      ],
    };
    expect(offered(wrong)).toEqual({ video: {}, audio: {} });
  });

  it("follows the server's choice of questions per tracks format", () => {
    const points = {
      fields: [{ name: "clip", kind: "video" }],
      questions: [
        { name: "dots", kind: "tracks", target: "clip", shape: "point", labels: ["x"] },
        { name: "poses", kind: "tracks", target: "clip", shape: "keypoints", labels: ["x"], skeleton: { points: ["a", "b"] } },
      ],
    };
    // points only: CVAT writes them, YouTube-VIS and COCO per frame hold boxes and polygons
    expect(offered(points).video).toEqual({ "cvat-video": [] });
    expect(names(questionsFor(iface(points), "cvat-video"))).toEqual(["dots"]);
    // two videos: the first one a box, polygon or point question targets is the one written
    const two = {
      fields: [{ name: "a", kind: "video" }, { name: "b", kind: "video" }],
      questions: [
        { name: "boxes_b", kind: "tracks", target: "b", shape: "box", labels: ["x"] },
        { name: "dots_a", kind: "tracks", target: "a", shape: "point", labels: ["x"] },
      ],
    };
    expect(names(questionsFor(iface(two), "cvat-video"))).toEqual(["dots_a"]);
    expect(questionsFor(iface(two), "ytvis")).toEqual([]); // as the server: a's tracks are points
    expect(names(questionsFor(iface(two), "mot"))).toEqual(["boxes_b"]); // any video field
  });
});

describe("questionOf", () => {
  const { video, audio } = mediaOffersOf(iface({ ...AUDIO, fields: [...AUDIO.fields, ...TRACKS.fields], questions: [...AUDIO.questions, ...TRACKS.questions] }));
  const mot = video.find((o) => o.format.value === "mot");
  const cvat = video.find((o) => o.format.value === "cvat-video");
  const vtt = audio.find((o) => o.format.value === "vtt");
  it("keeps a suitable choice, else takes the first suitable question", () => {
    expect(questionOf(mot, "people")).toBe("people");
    expect(questionOf(mot, "")).toBe("vehicles");
    expect(questionOf(mot, "speakers")).toBe("vehicles"); // chosen for rttm: not a tracks question
    expect(questionOf(vtt, "speakers")).toBe("words");
  });
  it("is null for a format that takes no question, or none at all", () => {
    expect(questionOf(cvat, "vehicles")).toBeNull();
    expect(questionOf(undefined, "vehicles")).toBeNull();
  });
});

describe("words", () => {
  it("names a question with its label when it has another", () => {
    const [speakers, noises] = questionsFor(iface(AUDIO), "rttm");
    expect(speakers && questionText(speakers)).toBe("speakers");
    expect(noises && questionText(noises)).toBe("Noises heard (noises)");
  });
  it("says which questions suit, as the server does", () => {
    expect(suitableKind("mot", true)).toBe("tracks questions with shape box over a video");
    expect(suitableKind("rttm", false)).toBe("segments question over an audio field");
    expect(suitableKind("srt", true)).toBe("transcript questions over an audio field");
  });
});

describe("mediaContentRefusal", () => {
  it("refuses consensus for every video and audio format, and the final answer for events", () => {
    expect(mediaContentRefusal("consensus", "mot")).toBe("not for MOTChallenge, which holds one set of tracks per video: take the gold standard");
    expect(mediaContentRefusal("consensus", "vtt")).toBe("not for WebVTT, which holds one set of segments per recording: take the gold standard");
    expect(mediaContentRefusal("final", "mot")).toBeNull();
    expect(mediaContentRefusal("final", "rttm")).toBeNull();
    expect(mediaContentRefusal("annotations", "coco-video")).toBeNull();
    for (const content of ["consensus", "final"] as const) expect(mediaContentRefusal(content, "events_csv")).toMatch(/^not with the events formats/);
    expect(mediaContentRefusal("annotations", "events_json")).toBeNull();
  });
  it("says nothing of the other formats", () => {
    expect(mediaContentRefusal("consensus", "jsonl")).toBeNull();
    expect(mediaContentRefusal("final", "coco")).toBeNull();
  });
});
