import { describe, expect, it } from "vitest";
import { parseInterface, type QuestionSpec } from "../../editor/interface";
import type { Json } from "../../api/types";
import { answerLines } from "./answerText";

const iface = parseInterface({
  fields: [{ name: "text", kind: "text" }],
  questions: [{ name: "entities", kind: "spans", target: "text", labels: ["PER", "ORG"] }],
});
const spans = iface.questions[0]!;

describe("answerLines for spans", () => {
  it("shows a predicted span (offsets only) as the text it marks, counted in code points", () => {
    const data = { text: "🙂 Alice works at Acme" };
    const value = { spans: [{ start: 2, end: 7, label: "PER" }, { start: 17, end: 21, label: "ORG" }] };
    expect(answerLines(spans, value, data)).toEqual(["PER: “Alice” (characters 2–7)", "ORG: “Acme” (characters 17–21)"]);
  });
  it("prefers the text a span carries, and says offsets only when there is no text at all", () => {
    expect(answerLines(spans, { spans: [{ start: 0, end: 3, label: "ORG", text: "Bob" }] }, null)).toEqual(["ORG: “Bob” (characters 0–3)"]);
    expect(answerLines(spans, { spans: [{ start: 0, end: 3, label: "ORG" }] }, null)).toEqual(["ORG: characters 0–3"]);
  });
});

describe("answerLines for image questions", () => {
  const images = parseInterface({
    fields: [{ name: "photo", kind: "image" }],
    questions: [
      { name: "items", kind: "boxes", target: "photo", labels: ["box", "bag"] },
      { name: "scene", kind: "image_class", target: "photo", options: [{ value: "wh", label: "warehouse" }, "store"], multiple: true },
    ],
  });
  const [items, scene] = images.questions as [QuestionSpec, QuestionSpec];
  it("counts a shape answer's objects by label instead of listing coordinates", () => {
    const boxes = Array.from({ length: 12 }, (_, i) => ({ id: String(i + 1), label: i < 8 ? "box" : "bag", x: i, y: 0, w: 5, h: 5 }));
    expect(answerLines(items, { objects: boxes })).toEqual(["12 objects: 8 box, 4 bag"]);
  });
  it("names an image's classes by their options", () => {
    expect(answerLines(scene, { choices: ["wh", "store"] })).toEqual(["warehouse, store"]);
    expect(answerLines(scene, { choice: "wh" })).toEqual(["warehouse"]);
  });
});

describe("answerLines for tracks", () => {
  const video = parseInterface({
    fields: [{ name: "clip", kind: "video" }],
    questions: [{ name: "cars", kind: "tracks", target: "clip", shape: "box", labels: [{ value: "car", label: "Car" }, "person"] }],
  });
  const [cars] = video.questions as [QuestionSpec];
  it("says each track's keyframes, where it leaves the picture and how often it is occluded", () => {
    const box = { x: 1, y: 1, w: 5, h: 5 };
    const tracks: Json[] = [
      { id: "t1", label: "car", keyframes: [{ frame: 0, ...box }, { frame: 6, ...box, occluded: true }, { frame: 9, outside: true }] },
      { id: "t2", label: "person", keyframes: [{ frame: 3, ...box }] },
    ];
    expect(answerLines(cars, { tracks })).toEqual(["t1 · Car: 3 keyframes from frame 0, out of view at frame 9, 1 occluded", "t2 · person: 1 keyframe from frame 3"]);
  });
});
