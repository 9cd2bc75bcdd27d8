import { describe, expect, it } from "vitest";
import { parseInterface, type ShapeSpec } from "../../../editor/interface";
import { geometryText, objectCounts, objectFacts, shapeAnswerLines } from "./inspect";
import { shapesOf } from "./model";
import { encodeMask } from "./rle";

const iface = parseInterface({
  fields: [{ name: "image", kind: "image" }],
  questions: [
    {
      name: "items",
      kind: "boxes",
      target: "image",
      labels: [{ value: "box", label: "Carton" }, "bag", "pallet"],
      rotation: true,
      attributes: [
        { name: "damaged", type: "choice", options: [{ value: "y", label: "yes" }, "no"] },
        { name: "tags", type: "multi_choice", options: ["fragile", "heavy"] },
      ],
    },
    { name: "arm", kind: "keypoints", target: "image", labels: ["arm"], skeleton: { points: ["base", "elbow", "gripper"], edges: [[0, 1]] } },
    { name: "floor", kind: "masks", target: "image", labels: ["floor"] },
  ],
});
const [items, arm, floor] = iface.questions as [ShapeSpec, ShapeSpec, ShapeSpec];

describe("objectCounts and shapeAnswerLines", () => {
  it("counts objects by label, in the question's order, with the labels' names", () => {
    const value = {
      objects: [
        { id: "1", label: "bag", x: 0, y: 0, w: 1, h: 1 },
        { id: "2", label: "box", x: 0, y: 0, w: 1, h: 1 },
        { id: "3", label: "bag", x: 0, y: 0, w: 1, h: 1 },
        { id: "4", label: "zebra", x: 0, y: 0, w: 1, h: 1 },
      ],
    };
    expect(objectCounts(items, shapesOf("boxes", value))).toBe("4 objects: 1 Carton, 2 bag, 1 zebra");
    expect(shapeAnswerLines(items, value)).toEqual(["4 objects: 1 Carton, 2 bag, 1 zebra"]);
    expect(objectCounts(items, [])).toBe("no objects");
    expect(shapeAnswerLines(items, { objects: [{ id: "1", label: "box", x: 0, y: 0, w: 1, h: 1 }] })).toEqual(["1 object: 1 Carton"]);
  });
  it("gives the range of a model's scores", () => {
    const scored = { objects: [{ id: "1", label: "bag", x: 0, y: 0, w: 1, h: 1, score: 0.25 }, { id: "2", label: "bag", x: 0, y: 0, w: 1, h: 1, score: 0.9 }] };
    expect(shapeAnswerLines(items, scored)).toEqual(["2 objects: 2 bag", "scored 0.25–0.90"]);
    const some = { objects: [...scored.objects.slice(0, 1), { id: "3", label: "bag", x: 0, y: 0, w: 1, h: 1 }] };
    expect(shapeAnswerLines(items, some)).toEqual(["2 objects: 2 bag", "1 scored 0.25"]);
  });
});

describe("objectFacts", () => {
  it("says where a box is, its score, z, group, flags and attributes in words", () => {
    const [shape] = shapesOf("boxes", {
      objects: [
        {
          id: "7",
          label: "box",
          x: 10.123,
          y: 20,
          w: 30,
          h: 40.5,
          rotation: 15,
          score: 0.876,
          z: 2,
          group: 1,
          occluded: true,
          locked: true,
          attributes: { damaged: "y", tags: ["fragile", "heavy"], iscrowd: true },
        },
      ],
    });
    expect(objectFacts(items, shape!)).toEqual([
      "box 30 × 40.5 px at x 10.12, y 20, turned 15°",
      "score 0.88",
      "z 2",
      "group 1",
      "occluded",
      "locked",
      "damaged: yes",
      "tags: fragile, heavy",
      "iscrowd: true",
    ]);
  });
  it("tells keypoints by how many are labelled and visible, a mask by its area", () => {
    const [skeleton] = shapesOf("keypoints", { objects: [{ id: "1", label: "arm", points: [[1, 1, 2], [2, 2, 1], [0, 0, 0]] }] });
    expect(geometryText(arm, skeleton!.geom)).toBe("2 of 3 points labelled (1 visible)");
    const mask = new Uint8Array(12);
    mask.set([1, 1, 1, 0, 0, 1], 3);
    const [painted] = shapesOf("masks", { objects: [{ id: "1", label: "floor", rle: encodeMask(mask, 3, 4) as never }] });
    expect(geometryText(floor, painted!.geom)).toBe("mask of 4 px");
  });
});
