import { describe, expect, it } from "vitest";
import type { PolygonsSpec } from "../../../editor/interface";
import { checksCrossings, crossesItself, firstCrossing, segmentsMeet, shapeCrosses } from "./crossing";
import { shapesOf } from "./model";
// 300 random outlines on a 6 × 6 grid (many touch at a vertex or run along an edge), each with
// the server's verdict (polygons.py, shapely's is_simple): the browser must agree on every one.
import cases from "./fixtures/crossing-cases.json";

const BOWTIE = [
  [10, 10],
  [30, 30],
  [30, 10],
  [10, 30],
];
const SQUARE = [
  [10, 10],
  [30, 10],
  [30, 30],
  [10, 30],
];

describe("crossesItself", () => {
  it("finds a bow-tie and passes a square and a triangle", () => {
    expect(crossesItself(BOWTIE)).toBe(true);
    expect(firstCrossing(BOWTIE)).toEqual([0, 2]);
    expect(crossesItself(SQUARE)).toBe(false);
    expect(crossesItself([[0, 0], [10, 0], [5, 8]])).toBe(false);
  });

  it("counts touching as crossing, and points on one line", () => {
    // A vertex lying on another (not neighbouring) edge.
    expect(crossesItself([[0, 0], [10, 0], [10, 10], [5, 0], [0, 10]])).toBe(true);
    // Two vertices at the same place (a figure eight).
    expect(crossesItself([[0, 0], [5, 5], [10, 0], [10, 10], [5, 5], [0, 10]])).toBe(true);
    expect(crossesItself([[0, 0], [5, 0], [10, 0]])).toBe(true);
    expect(crossesItself([[0, 0], [10, 0], [5, 0], [5, 5]])).toBe(true); // doubles back
  });

  it("ignores repeated consecutive points", () => {
    expect(crossesItself([[10, 10], [30, 10], [30, 10], [30, 30], [10, 30]])).toBe(false);
    expect(crossesItself([[1, 1], [1, 1], [1, 1]])).toBe(true);
    expect(crossesItself([])).toBe(false);
  });

  it("agrees with the server on 300 random outlines", () => {
    const wrong = (cases as Array<{ points: number[][]; simple: boolean }>).filter((c) => crossesItself(c.points) === c.simple);
    expect(wrong).toEqual([]);
  });

  it("checks a 5,000-point outline quickly", () => {
    const circle = Array.from({ length: 5000 }, (_, i) => [500 + 400 * Math.cos((2 * Math.PI * i) / 5000), 500 + 400 * Math.sin((2 * Math.PI * i) / 5000)]);
    const started = performance.now();
    expect(crossesItself(circle)).toBe(false);
    const twisted = [...circle.slice(0, 2500), ...circle.slice(2500).reverse()];
    expect(crossesItself(twisted)).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe("segmentsMeet", () => {
  it("tells crossing, touching, overlapping and apart", () => {
    expect(segmentsMeet([0, 0], [10, 10], [0, 10], [10, 0])).toBe(true);
    expect(segmentsMeet([0, 0], [10, 0], [5, 0], [5, 5])).toBe(true);
    expect(segmentsMeet([0, 0], [10, 0], [5, 0], [20, 0])).toBe(true);
    expect(segmentsMeet([0, 0], [10, 0], [11, 0], [20, 0])).toBe(false);
    expect(segmentsMeet([0, 0], [10, 0], [0, 1], [10, 1])).toBe(false);
  });
});

describe("shapeCrosses and checksCrossings", () => {
  it("marks polygon shapes only, and only questions that warn or refuse", () => {
    const shapes = shapesOf("polygons", { objects: [{ id: "a", label: "x", points: BOWTIE }, { id: "b", label: "x", points: SQUARE }] });
    expect(shapes.map(shapeCrosses)).toEqual([true, false]);
    expect(shapesOf("polylines", { objects: [{ id: "c", label: "x", points: BOWTIE }] }).map(shapeCrosses)).toEqual([false]);
    const question = { kind: "polygons", selfIntersection: "warn" } as PolygonsSpec;
    expect(checksCrossings(question)).toBe(true);
    expect(checksCrossings({ ...question, selfIntersection: "refuse" })).toBe(true);
    expect(checksCrossings({ ...question, selfIntersection: "allow" })).toBe(false);
  });
});
