/**
 * Whether a polygon's outline crosses or touches itself, as the server decides it for
 * `self_intersection: refuse` (shapely's `is_simple` of the closed ring,
 * src/accord/kinds/questions/polygons.py): two edges that are not neighbours meet (crossing,
 * or a vertex lying on another edge), or two neighbouring edges double back over each other
 * (which includes every outline whose points all lie on one line). Repeated consecutive
 * points are ignored, as GEOS does.
 *
 * The edges are swept by their left end (sort, then compare each edge only with those whose
 * x-range overlaps it), so a usual outline of thousands of points is checked in a few
 * milliseconds; the worst case is O(n²) comparisons. Results are remembered per geometry
 * object (the shape model reads each answer object once), so painting and the object list
 * ask as often as they like.
 */
import type { ShapeSpec } from "../../../editor/interface";
import type { Geometry, Shape } from "./model";

type Point = readonly number[];

/** The server's words for a refused outline (polygons.py `_simple`), shown before submit. */
export const CROSSING_MESSAGE =
  "the outline crosses or touches itself (or all its points lie on one line); redraw it, or split it into several polygons";
/** The title of the ⚠ on a crossing outline (object list, canvas). */
export const CROSSING_TITLE = "this outline crosses itself";

const orient = (a: Point, b: Point, c: Point): number =>
  ((b[0] as number) - (a[0] as number)) * ((c[1] as number) - (a[1] as number)) -
  ((b[1] as number) - (a[1] as number)) * ((c[0] as number) - (a[0] as number));

const sign = (value: number): number => (value > 0 ? 1 : value < 0 ? -1 : 0);

/** `c` (on the line through a and b) lies within the segment a–b, ends included. */
function within(a: Point, b: Point, c: Point): boolean {
  const [ax, ay] = a as [number, number];
  const [bx, by] = b as [number, number];
  const [cx, cy] = c as [number, number];
  return Math.min(ax, bx) <= cx && cx <= Math.max(ax, bx) && Math.min(ay, by) <= cy && cy <= Math.max(ay, by);
}

/** Segments a–b and c–d share at least one point (crossing, touching or overlapping). */
export function segmentsMeet(a: Point, b: Point, c: Point, d: Point): boolean {
  const o1 = sign(orient(a, b, c));
  const o2 = sign(orient(a, b, d));
  const o3 = sign(orient(c, d, a));
  const o4 = sign(orient(c, d, b));
  if (o1 !== o2 && o3 !== o4) return true; // crossing, or an end on the other (not collinear)
  return (o1 === 0 && within(a, b, c)) || (o2 === 0 && within(a, b, d)) || (o3 === 0 && within(c, d, a)) || (o4 === 0 && within(c, d, b));
}

/** The edges b–a and b–c (meeting at b) fold back over each other. */
function foldsBack(a: Point, b: Point, c: Point): boolean {
  if (orient(a, b, c) !== 0) return false;
  const dot = ((a[0] as number) - (b[0] as number)) * ((c[0] as number) - (b[0] as number)) + ((a[1] as number) - (b[1] as number)) * ((c[1] as number) - (b[1] as number));
  return dot > 0;
}

function distinct(points: ReadonlyArray<Point>): Point[] {
  const out: Point[] = [];
  for (const p of points) {
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  while (out.length > 1 && (out[0] as Point)[0] === (out[out.length - 1] as Point)[0] && (out[0] as Point)[1] === (out[out.length - 1] as Point)[1]) out.pop();
  return out;
}

/**
 * The first pair of edges (indices: edge i runs from point i to point i + 1, the last one back
 * to point 0, counting distinct points) that makes the closed outline not simple; null when
 * it is simple.
 */
export function firstCrossing(points: ReadonlyArray<Point>): [number, number] | null {
  const p = distinct(points);
  const n = p.length;
  if (n < 3) return n === 0 ? null : [0, 0]; // one or two distinct points: a line folded on itself
  for (let i = 0; i < n; i++) {
    if (foldsBack(p[(i + n - 1) % n] as Point, p[i] as Point, p[(i + 1) % n] as Point)) return [(i + n - 1) % n, i];
  }
  if (n === 3) return null; // every pair of a triangle's edges are neighbours
  const x0 = new Float64Array(n);
  const x1 = new Float64Array(n);
  const y0 = new Float64Array(n);
  const y1 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = p[i] as Point;
    const b = p[(i + 1) % n] as Point;
    x0[i] = Math.min(a[0] as number, b[0] as number);
    x1[i] = Math.max(a[0] as number, b[0] as number);
    y0[i] = Math.min(a[1] as number, b[1] as number);
    y1[i] = Math.max(a[1] as number, b[1] as number);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (x0[a] as number) - (x0[b] as number));
  for (let k = 0; k < n; k++) {
    const i = order[k] as number;
    for (let m = k + 1; m < n; m++) {
      const j = order[m] as number;
      if ((x0[j] as number) > (x1[i] as number)) break;
      if ((y0[j] as number) > (y1[i] as number) || (y1[j] as number) < (y0[i] as number)) continue;
      const gap = Math.abs(i - j);
      if (gap === 1 || gap === n - 1) continue; // neighbours share a point: checked above
      if (segmentsMeet(p[i] as Point, p[(i + 1) % n] as Point, p[j] as Point, p[(j + 1) % n] as Point)) return i < j ? [i, j] : [j, i];
    }
  }
  return null;
}

/** Whether the closed outline through `points` crosses or touches itself. */
export function crossesItself(points: ReadonlyArray<Point>): boolean {
  return firstCrossing(points) !== null;
}

const known = new WeakMap<Geometry, boolean>();

/** Whether a polygon shape's outline crosses itself (false for other shapes); remembered. */
export function shapeCrosses(shape: Shape): boolean {
  const g = shape.geom;
  if (g.type !== "polygon") return false;
  let crosses = known.get(g);
  if (crosses === undefined) {
    crosses = crossesItself(g.points);
    known.set(g, crosses);
  }
  return crosses;
}

/** Whether the question's outlines are checked for crossings in the browser (warn or refuse). */
export function checksCrossings(question: ShapeSpec): boolean {
  return question.kind === "polygons" && question.selfIntersection !== "allow";
}
