import { describe, expect, it } from "vitest";
import type { Json, JsonObject } from "../../../api/types";
import { parseInterface, type ShapeSpec } from "../../../editor/interface";
import { ImageEditor } from "./editor";
import { handleKey, type KeyLike } from "./keys";
import { decodeMask, areaOf } from "./rle";
import { fitView } from "./view";

function setup(question: JsonObject, value: Json | undefined = undefined) {
  const spec = parseInterface({ fields: [{ name: "image", kind: "image" }], questions: [question] }).questions[0] as ShapeSpec;
  const ed = new ImageEditor(spec);
  const answers: Array<Json | undefined> = [];
  const binding = {
    question: spec,
    value,
    onChange: (next: Json | undefined) => {
      answers.push(next);
      binding.value = next;
      ed.sync(binding);
    },
    activate: () => {},
  };
  ed.sync(binding);
  ed.setImage({} as CanvasImageSource, 200, 100);
  ed.view = fitView(200, 100, 200, 100);
  const key = (k: string, mods: Partial<KeyLike> = {}): boolean =>
    handleKey(ed, { key: k, code: /^\d$/.test(k) ? `Digit${k}` : "", shiftKey: false, altKey: false, ctrlKey: false, metaKey: false, ...mods });
  const objects = (): JsonObject[] => ((binding.value as JsonObject | undefined)?.objects as JsonObject[] | undefined) ?? [];
  return { ed, key, objects, answers };
}

const BOXES = { name: "b", kind: "boxes", target: "image", labels: ["car", "person"] };

describe("boxes by keyboard", () => {
  it("draws with N at two corners, relabels, moves, resizes, cycles and deletes", () => {
    const { ed, key, objects, answers } = setup(BOXES);
    ed.setCursor([10, 20]);
    expect(key("2")).toBe(true); // the label for new boxes
    key("n");
    ed.setCursor([50.123, 60]);
    key("n");
    expect(objects()).toEqual([{ id: "1", label: "person", x: 10, y: 20, w: 40.12, h: 40 }]);
    expect(ed.ui.selectedId).toBe("1");
    key("1");
    expect(objects()[0]?.label).toBe("car");
    key("ArrowRight", { shiftKey: true });
    key("ArrowUp");
    expect(objects()[0]).toMatchObject({ x: 20, y: 19 });
    key("ArrowRight", { altKey: true });
    expect(objects()[0]).toMatchObject({ w: 41.12 });
    key("ArrowLeft", { shiftKey: true });
    key("ArrowLeft", { shiftKey: true });
    key("ArrowLeft", { shiftKey: true });
    expect(objects()[0]).toMatchObject({ x: 0 }); // clamped to the image
    expect(answers.length).toBe(8); // one answer change per edit: one undo step each
    key("Escape");
    expect(ed.ui.selectedId).toBeNull();
    key("Tab");
    expect(ed.ui.selectedId).toBe("1");
    key("Delete");
    expect(objects()).toEqual([]);
    expect(answers[answers.length - 1]).toBeUndefined();
  });

  it("toggles flags and z-order, and refuses to move a locked box", () => {
    const { key, objects } = setup(BOXES, { objects: [{ id: "7", label: "car", x: 1, y: 1, w: 5, h: 5 }] });
    key("Tab");
    key("o");
    key("t");
    key("PageUp");
    key("l");
    key("ArrowRight");
    key("Delete");
    expect(objects()).toEqual([{ id: "7", label: "car", x: 1, y: 1, w: 5, h: 5, occluded: true, truncated: true, z: 1, locked: true }]);
  });

  it("groups objects with U and Shift+U", () => {
    const { key, objects } = setup(BOXES, {
      objects: [
        { id: "1", label: "car", x: 1, y: 1, w: 5, h: 5, group: 2 },
        { id: "2", label: "car", x: 10, y: 1, w: 5, h: 5 },
        { id: "3", label: "car", x: 20, y: 1, w: 5, h: 5 },
      ],
    });
    key("Tab");
    key("Tab");
    key("u"); // no group started: a new one after the largest (2)
    key("Tab");
    key("u");
    key("u"); // again: out of the group
    key("U", { shiftKey: true });
    expect(objects().map((o) => o.group)).toEqual([2, 3, 4]);
  });

  it("hides predictions below the score threshold from Tab", () => {
    const { ed, key } = setup(BOXES, {
      objects: [
        { id: "1", label: "car", x: 1, y: 1, w: 5, h: 5, score: 0.2 },
        { id: "2", label: "car", x: 10, y: 1, w: 5, h: 5, score: 0.9 },
      ],
    });
    ed.setThreshold(0.5);
    key("Tab");
    expect(ed.ui.selectedId).toBe("2");
    key("Tab");
    expect(ed.ui.selectedId).toBe("2");
  });

  it("zooms with + and -, fits with F (digits stay label keys)", () => {
    const { ed, key } = setup(BOXES);
    ed.renderer = { width: 200, height: 100 } as never;
    const scale = ed.view?.scale ?? 0;
    key("+");
    expect(ed.view?.scale).toBeCloseTo(scale * 1.25);
    key("-");
    key("-");
    expect(ed.view?.scale).toBeCloseTo(scale * 0.8);
    key("z");
    expect(ed.view?.scale).toBe(1);
  });
});

describe("polygons, polylines, points and keypoints by keyboard", () => {
  it("draws a polygon point by point; Backspace takes one back; Enter closes", () => {
    const { ed, key, objects } = setup({ name: "p", kind: "polygons", target: "image", labels: ["roof"] });
    for (const p of [[10, 10], [50, 10], [99, 99], [50, 50]] as [number, number][]) {
      ed.setCursor(p);
      key("n");
    }
    key("Backspace");
    key("Enter");
    expect(objects()).toEqual([{ id: "1", label: "roof", points: [[10, 10], [50, 10], [99, 99]] }]);
    key(".");
    key("ArrowLeft");
    expect(objects()[0]?.points).toEqual([[9, 10], [50, 10], [99, 99]]);
  });

  it("refuses a polyline of one point and cancels with Escape", () => {
    const { ed, key, objects } = setup({ name: "l", kind: "polylines", target: "image", labels: ["lane"] });
    ed.setCursor([1, 1]);
    key("n");
    key("Enter");
    expect(ed.ui.message).toMatch(/at least 2 points/);
    key("Escape");
    expect(ed.draft).toBeNull();
    expect(objects()).toEqual([]);
  });

  it("places points", () => {
    const { ed, key, objects } = setup({ name: "pt", kind: "points", target: "image", labels: ["eye"] });
    ed.setCursor([300, 7]);
    key("n");
    expect(objects()).toEqual([{ id: "1", label: "eye", x: 200, y: 7 }]);
  });

  it("places keypoints in skeleton order, skipping and hiding some, and toggles visibility", () => {
    const { ed, key, objects } = setup({
      name: "k",
      kind: "keypoints",
      target: "image",
      labels: ["person"],
      skeleton: { points: ["nose", "left_eye", "right_eye"], edges: [[0, 1], [0, 2]] },
    });
    ed.setCursor([10, 10]);
    key("n");
    key("x");
    ed.setCursor([20, 12]);
    key("N", { shiftKey: true });
    expect(objects()).toEqual([{ id: "1", label: "person", points: [[10, 10, 2], [0, 0, 0], [20, 12, 1]] }]);
    ed.setCursor([15, 8]);
    key("n"); // the selected skeleton's missing point
    expect(objects()[0]?.points).toEqual([[10, 10, 2], [15, 8, 2], [20, 12, 1]]);
    key(".");
    key(".");
    key(".");
    key("v");
    expect(objects()[0]?.points).toEqual([[10, 10, 2], [15, 8, 2], [20, 12, 2]]);
  });
});

describe("masks", () => {
  it("fills a polygon into a new mask, then paints and erases dabs on it", () => {
    const { ed, key, objects } = setup({ name: "m", kind: "masks", target: "image", labels: ["road"] });
    key("p");
    for (const p of [[10, 10], [30, 10], [30, 20], [10, 20]] as [number, number][]) {
      ed.setCursor(p);
      key("n");
    }
    key("Enter");
    const rle = objects()[0]?.rle as { size: [number, number]; counts: string };
    expect(rle.size).toEqual([100, 200]);
    expect(areaOf(decodeMask(rle))).toBe(200);
    key("e");
    ed.setCursor([20, 15]);
    key("n");
    const erased = objects()[0]?.rle as { size: [number, number]; counts: string };
    expect(areaOf(decodeMask(erased))).toBeLessThan(200);
  });
});
