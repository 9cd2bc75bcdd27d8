/**
 * Hit-testing: which object, vertex or handle is under a point (image pixels, with a
 * tolerance in image pixels). A uniform grid over the image narrows thousands of objects
 * down to the few whose bounding box covers the point's cell. Pure, no DOM.
 */
import { maskValueAt } from "./rle";
import { boxCorners, HANDLES, handlePoint, type Bbox, type Geometry, type Handle, type Pt, type Shape } from "./model";

/** Objects binned by the grid cells their bounding box (plus a margin) overlaps. */
export class SpatialGrid {
  readonly cell: number;
  private readonly cols: number;
  private readonly rows: number;
  private readonly cells: Map<number, number[]> = new Map();
  /** Objects covering too many cells: always tested. */
  private readonly big: number[] = [];

  constructor(width: number, height: number, boxes: readonly Bbox[], margin = 0) {
    this.cell = Math.max(16, Math.ceil(Math.max(width, height, 1) / 128));
    this.cols = Math.max(1, Math.ceil(width / this.cell));
    this.rows = Math.max(1, Math.ceil(height / this.cell));
    boxes.forEach((bbox, index) => this.insert(index, bbox, margin));
  }

  private insert(index: number, [x0, y0, x1, y1]: Bbox, margin: number): void {
    const c0 = this.col(x0 - margin);
    const c1 = this.col(x1 + margin);
    const r0 = this.row(y0 - margin);
    const r1 = this.row(y1 + margin);
    if ((c1 - c0 + 1) * (r1 - r0 + 1) > 256) {
      this.big.push(index);
      return;
    }
    for (let r = r0; r <= r1; r++)
      for (let c = c0; c <= c1; c++) {
        const key = r * this.cols + c;
        const list = this.cells.get(key);
        if (list) list.push(index);
        else this.cells.set(key, [index]);
      }
  }

  private col(x: number): number {
    return Math.min(this.cols - 1, Math.max(0, Math.floor(x / this.cell)));
  }
  private row(y: number): number {
    return Math.min(this.rows - 1, Math.max(0, Math.floor(y / this.cell)));
  }

  /** Indices of the objects that may be within `tol` of (x, y), in insertion order. */
  query(x: number, y: number, tol = 0): number[] {
    const c0 = this.col(x - tol);
    const c1 = this.col(x + tol);
    const r0 = this.row(y - tol);
    const r1 = this.row(y + tol);
    if (c0 === c1 && r0 === r1 && this.big.length === 0) return this.cells.get(r0 * this.cols + c0) ?? [];
    const found = new Set<number>(this.big);
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) for (const i of this.cells.get(r * this.cols + c) ?? []) found.add(i);
    return [...found].sort((a, b) => a - b);
  }
}

export function distToSegment(p: Pt, a: Pt, b: Pt): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len = dx * dx + dy * dy;
  const t = len === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

export function insidePolygon(p: Pt, points: readonly Pt[]): boolean {
  let inside = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i] as Pt;
    const [xj, yj] = points[j] as Pt;
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function nearPath(p: Pt, points: readonly Pt[], closed: boolean, tol: number): boolean {
  const n = points.length;
  for (let i = 0; i < n - (closed ? 0 : 1); i++) {
    if (distToSegment(p, points[i] as Pt, points[(i + 1) % n] as Pt) <= tol) return true;
  }
  return n === 1 && Math.hypot(p[0] - (points[0] as Pt)[0], p[1] - (points[0] as Pt)[1]) <= tol;
}

/** Is the point on (inside, or within `tol` of the outline of) this geometry? */
export function hits(geom: Geometry, p: Pt, tol: number): boolean {
  switch (geom.type) {
    case "box": {
      const corners = boxCorners(geom);
      return insidePolygon(p, corners) || nearPath(p, corners, true, tol);
    }
    case "polygon":
      return insidePolygon(p, geom.points) || nearPath(p, geom.points, true, tol);
    case "polyline":
      return nearPath(p, geom.points, false, tol);
    case "point":
      return Math.hypot(p[0] - geom.x, p[1] - geom.y) <= tol * 1.5;
    case "keypoints":
      return geom.points.some(([x, y, v]) => v > 0 && Math.hypot(p[0] - x, p[1] - y) <= tol * 1.5);
    case "mask":
      return maskValueAt(geom.rle, Math.floor(p[0]), Math.floor(p[1])) > 0;
  }
}

/** The topmost visible object under the point: highest z, then the latest drawn. */
export function topmostAt(shapes: readonly Shape[], grid: SpatialGrid, p: Pt, tol: number, skip: (shape: Shape) => boolean): number {
  let best = -1;
  for (const index of grid.query(p[0], p[1], tol)) {
    const shape = shapes[index] as Shape;
    if (skip(shape) || !hits(shape.geom, p, tol)) continue;
    if (best < 0 || shape.z >= (shapes[best] as Shape).z) best = index;
  }
  return best;
}

/** The vertex of a polygon, polyline or keypoints (or the point itself) within `tol`, or -1. */
export function vertexAt(geom: Geometry, p: Pt, tol: number): number {
  const points: ReadonlyArray<readonly number[]> =
    geom.type === "polygon" || geom.type === "polyline" ? geom.points : geom.type === "keypoints" ? geom.points : geom.type === "point" ? [[geom.x, geom.y]] : [];
  let best = -1;
  let bestDist = tol;
  points.forEach((q, i) => {
    if (geom.type === "keypoints" && q[2] === 0) return;
    const d = Math.hypot(p[0] - (q[0] as number), p[1] - (q[1] as number));
    if (d <= bestDist) {
      best = i;
      bestDist = d;
    }
  });
  return best;
}

/** Where a box's handle is drawn (rotated with the box). */
export function handlePosition(box: { x: number; y: number; w: number; h: number; rotation: number }, handle: Handle): Pt {
  const [hx, hy] = handlePoint(box, handle);
  if (!box.rotation) return [hx, hy];
  const cx = box.x + box.w / 2;
  const cy = box.y + box.h / 2;
  const a = (box.rotation * Math.PI) / 180;
  return [cx + (hx - cx) * Math.cos(a) - (hy - cy) * Math.sin(a), cy + (hx - cx) * Math.sin(a) + (hy - cy) * Math.cos(a)];
}

/** The resize handle of a box within `tol` of the point, or null. */
export function handleAt(geom: Geometry, p: Pt, tol: number): Handle | null {
  if (geom.type !== "box") return null;
  for (const handle of HANDLES) {
    const [x, y] = handlePosition(geom, handle);
    if (Math.abs(p[0] - x) <= tol && Math.abs(p[1] - y) <= tol) return handle;
  }
  return null;
}

/** The edge (index i: from point i to i+1) of a polygon within `tol`, for inserting a vertex. */
export function edgeAt(points: readonly Pt[], closed: boolean, p: Pt, tol: number): number {
  const n = points.length;
  for (let i = 0; i < n - (closed ? 0 : 1); i++) {
    if (distToSegment(p, points[i] as Pt, points[(i + 1) % n] as Pt) <= tol) return i;
  }
  return -1;
}

/** Where a box's rotation handle is: `gap` image pixels above the middle of its top edge, rotated with it. */
export function rotationHandle(box: { x: number; y: number; w: number; h: number; rotation: number }, gap: number): Pt {
  const cx = box.x + box.w / 2;
  const cy = box.y + box.h / 2;
  const a = (box.rotation * Math.PI) / 180;
  const d = box.h / 2 + gap;
  return [cx + d * Math.sin(a), cy - d * Math.cos(a)];
}

/** The rotation (degrees clockwise, [0, 360)) that points a box's top towards p. */
export function rotationTowards(box: { x: number; y: number; w: number; h: number }, p: Pt): number {
  const cx = box.x + box.w / 2;
  const cy = box.y + box.h / 2;
  const degrees = (Math.atan2(p[0] - cx, cy - p[1]) * 180) / Math.PI;
  return Math.round(((degrees % 360) + 360) % 360 * 100) / 100;
}
