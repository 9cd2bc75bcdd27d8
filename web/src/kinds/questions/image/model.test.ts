import { describe, expect, it } from "vitest";
import { sameExcept } from "./editor";
import { SpatialGrid, topmostAt, vertexAt, handleAt, rotationHandle, rotationTowards } from "./hit";
import {
  bboxOf,
  boxFromCorners,
  clampShift,
  insideImage,
  moveInside,
  newObject,
  nextId,
  objectsOf,
  removeObject,
  resizeBox,
  setKey,
  shapeOf,
  shapesOf,
  shiftZ,
  toAnswer,
  updateObject,
  withGeometry,
  type Geometry,
} from "./model";
import { actualSize, fitView, toImage, toScreen, zoomAt } from "./view";

describe("the answer's objects", () => {
  it("reads and writes {objects: [...]}, undefined when there are none", () => {
    expect(objectsOf(undefined)).toEqual([]);
    expect(objectsOf({ objects: [{ id: "1" }, 3] })).toEqual([{ id: "1" }]);
    expect(toAnswer({ objects: [{ id: "1" }] }, [])).toBeUndefined();
    expect(toAnswer(undefined, [{ id: "2" }])).toEqual({ objects: [{ id: "2" }] });
  });

  it("gives new objects the next numeric id and the geometry rounded to 0.01 px", () => {
    const objects = [{ id: "3" }, { id: "x9" }, { id: "12" }];
    expect(nextId(objects)).toBe("13");
    const box: Geometry = { type: "box", x: 1.23456, y: 2, w: 10.005, h: 3.333333, rotation: 0 };
    expect(newObject(objects, "car", box)).toEqual({ id: "13", label: "car", x: 1.23, y: 2, w: 10.01, h: 3.33 });
  });

  it("keeps keys it does not know when the geometry changes", () => {
    const raw = { id: "1", label: "car", x: 1, y: 1, w: 2, h: 2, score: 0.8, attributes: { colour: "red" }, rotation: 5 };
    const moved = withGeometry(raw, { type: "box", x: 5, y: 6, w: 2, h: 2, rotation: 0 });
    expect(moved).toEqual({ id: "1", label: "car", x: 5, y: 6, w: 2, h: 2, score: 0.8, attributes: { colour: "red" } });
  });

  it("updates, removes, flags and orders objects without touching the others", () => {
    const a = { id: "1", label: "a" };
    const b = { id: "2", label: "b" };
    const updated = updateObject([a, b], "2", (raw) => setKey(raw, "locked", true));
    expect(updated[0]).toBe(a);
    expect(updated[1]).toEqual({ id: "2", label: "b", locked: true });
    expect(setKey({ id: "1", hidden: true }, "hidden", false)).toEqual({ id: "1" });
    expect(removeObject([a, b], "1")).toEqual([b]);
    expect(shiftZ({ id: "1" }, 1)).toEqual({ id: "1", z: 1 });
    expect(shiftZ({ id: "1", z: 1 }, -1)).toEqual({ id: "1" });
  });

  it("reads each kind's geometry, and reads an unchanged object once", () => {
    const raw = { id: "1", label: "p", points: [[0, 0], [4, 0], [4, 3]] };
    const shape = shapeOf("polygons", raw);
    expect(shape.geom).toEqual({ type: "polygon", points: [[0, 0], [4, 0], [4, 3]] });
    expect(shape.bbox).toEqual([0, 0, 4, 3]);
    expect(shapeOf("polygons", raw)).toBe(shape);
    const kp = shapesOf("keypoints", { objects: [{ id: "k", label: "person", points: [[1, 2, 2], [0, 0, 0], [5, 9, 1]] }] })[0];
    expect(kp?.bbox).toEqual([1, 2, 5, 9]);
    expect(shapeOf("masks", { id: "m", label: "x", rle: { size: [4, 6], counts: "0" } }).bbox).toEqual([0, 0, 6, 4]);
  });
});

describe("editing geometry", () => {
  it("keeps a moved shape inside the image", () => {
    expect(clampShift([10, 10, 20, 20], 100, -100, 50, 40)).toEqual([30, -10]);
    const moved = moveInside({ type: "box", x: 10, y: 10, w: 10, h: 10, rotation: 0 }, 100, 0, 50, 40);
    expect(moved).toMatchObject({ x: 40, y: 10 });
  });

  it("resizes a box by a handle, flipping past the opposite edge, clamped to the image", () => {
    const box = { type: "box" as const, x: 10, y: 10, w: 20, h: 10, rotation: 0 };
    expect(resizeBox(box, "se", 40, 25, 100, 100)).toMatchObject({ x: 10, y: 10, w: 30, h: 15 });
    expect(resizeBox(box, "e", 5, 0, 100, 100)).toMatchObject({ x: 5, y: 10, w: 5, h: 10 });
    expect(resizeBox(box, "se", 500, 500, 100, 80)).toMatchObject({ w: 90, h: 70 });
    expect(resizeBox(box, "n", 0, -50, 100, 80)).toMatchObject({ y: 0, h: 20 });
  });

  it("resizes a rotated box in its own frame, keeping the opposite corner", () => {
    const box = { type: "box" as const, x: 0, y: 0, w: 20, h: 10, rotation: 90 };
    // Rotated 90° clockwise about (10, 5): the "e" edge is now at the bottom (y = 15).
    const out = resizeBox(box, "e", 10, 25, 100, 100);
    expect(out.w).toBeCloseTo(30);
    expect(out.h).toBeCloseTo(10);
    expect(out.rotation).toBe(90);
    const corners = bboxOf(out);
    expect(corners[1]).toBeCloseTo(-5); // the fixed edge stays at y = -5
  });

  it("makes a box from two corners, or none when it is too thin", () => {
    expect(boxFromCorners([30, 40], [10, 5], 100, 100)).toEqual({ type: "box", x: 10, y: 5, w: 20, h: 35, rotation: 0 });
    expect(boxFromCorners([-10, -10], [500, 20], 100, 100)).toMatchObject({ x: 0, y: 0, w: 100, h: 20 });
    expect(boxFromCorners([10, 10], [10.5, 30], 100, 100)).toBeNull();
  });
});

describe("hit-testing", () => {
  const shapes = shapesOf("boxes", {
    objects: [
      { id: "1", label: "a", x: 0, y: 0, w: 100, h: 100 },
      { id: "2", label: "a", x: 40, y: 40, w: 10, h: 10 },
      { id: "3", label: "a", x: 40, y: 40, w: 10, h: 10, z: -1 },
      { id: "4", label: "a", x: 900, y: 900, w: 50, h: 50, hidden: true },
    ],
  });
  const grid = new SpatialGrid(1000, 1000, shapes.map((s) => s.bbox));

  it("finds the topmost visible object at a point", () => {
    const at = (x: number, y: number): string | undefined => shapes[topmostAt(shapes, grid, [x, y], 2, (s) => s.hidden)]?.id;
    expect(at(45, 45)).toBe("2");
    expect(at(10, 10)).toBe("1");
    expect(at(101, 50)).toBe("1"); // within the tolerance of the edge
    expect(at(920, 920)).toBeUndefined();
    expect(at(500, 500)).toBeUndefined();
  });

  it("narrows thousands of boxes to the few near a point", () => {
    const many = shapesOf("boxes", {
      objects: Array.from({ length: 5000 }, (_, i) => ({ id: String(i), label: "a", x: (i % 100) * 20, y: Math.floor(i / 100) * 20, w: 15, h: 15 })),
    });
    const big = new SpatialGrid(2000, 1000, many.map((s) => s.bbox));
    expect(big.query(1005, 505, 1).length).toBeLessThan(20);
    expect(many[topmostAt(many, big, [1005, 505], 1, () => false)]?.id).toBe("2550");
  });

  it("finds handles and vertices", () => {
    expect(handleAt({ type: "box", x: 10, y: 10, w: 20, h: 20, rotation: 0 }, [30, 20], 2)).toBe("e");
    expect(handleAt({ type: "box", x: 10, y: 10, w: 20, h: 20, rotation: 0 }, [20, 20], 2)).toBeNull();
    expect(vertexAt({ type: "polygon", points: [[0, 0], [10, 0], [10, 10]] }, [9, 1], 2)).toBe(1);
    expect(vertexAt({ type: "keypoints", points: [[0, 0, 0], [5, 5, 2]] }, [0, 0], 2)).toBe(-1);
  });
});

describe("the view", () => {
  it("fits, zooms about a point and goes 1:1", () => {
    const fit = fitView(2000, 1000, 808, 608);
    expect(fit.scale).toBeCloseTo(0.4);
    expect(toScreen(fit, [0, 0])).toEqual([4, 104]);
    const zoomed = zoomAt(fit, 2, 300, 200);
    const before = toImage(fit, [300, 200]);
    const after = toImage(zoomed, [300, 200]);
    expect(after[0]).toBeCloseTo(before[0]);
    expect(after[1]).toBeCloseTo(before[1]);
    expect(actualSize(zoomed, 10, 10).scale).toBe(1);
  });
});

describe("what an edit changed", () => {
  it("tells an edit of the selected object alone from other changes", () => {
    const a = { id: "1" };
    const b = { id: "2" };
    const c = { id: "3" };
    expect(sameExcept([a, b, c], [a, { id: "2", x: 1 }, c], "2")).toBe(true);
    expect(sameExcept([a, b, c], [a, c], "2")).toBe(true);
    expect(sameExcept([a, b, c], [a, b], "2")).toBe(false);
    expect(sameExcept([a, b], [a, b, c], "2")).toBe(false);
    expect(sameExcept([a, b, c], [a, b, { id: "3" }], "2")).toBe(false);
  });
});

describe("rotation", () => {
  it("turns a box towards the pointer, and keeps its corners in the image", () => {
    const box = { x: 0, y: 0, w: 20, h: 10, rotation: 0 };
    expect(rotationTowards(box, [10, -50])).toBe(0);
    expect(rotationTowards(box, [60, 5])).toBe(90);
    expect(rotationTowards(box, [-40, 5])).toBe(270);
    const [hx, hy] = rotationHandle({ ...box, rotation: 90 }, 5);
    expect(hx).toBeCloseTo(20);
    expect(hy).toBeCloseTo(5);
    expect(insideImage({ type: "box", x: 1, y: 1, w: 20, h: 4, rotation: 90 }, 30, 30)).toBe(false);
    expect(insideImage({ type: "box", x: 5, y: 10, w: 20, h: 4, rotation: 90 }, 30, 30)).toBe(true);
  });
});
