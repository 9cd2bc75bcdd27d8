/**
 * The shape model: pure functions over a shape question's answer JSON (`{"objects": [...]}`,
 * docs/kinds.md "Shapes on images"). No drawing, no DOM, no React. Every function returns new
 * objects and keeps every key it does not know (attributes, score, group...) untouched.
 *
 * Coordinates are pixels of the (EXIF-oriented) image, origin at the top-left corner of the
 * top-left pixel; what the editor writes is rounded to 0.01 px and clamped to the image.
 */
import type { Json, JsonObject } from "../../../api/types";

export type Pt = [number, number];
export type Keypoint = [number, number, number];
export interface Rle {
  size: [number, number];
  counts: string;
}

export type Geometry =
  | { type: "box"; x: number; y: number; w: number; h: number; rotation: number }
  | { type: "polygon"; points: Pt[] }
  | { type: "polyline"; points: Pt[] }
  | { type: "point"; x: number; y: number }
  | { type: "keypoints"; points: Keypoint[] }
  | { type: "mask"; rle: Rle };

export type ShapeKind = "boxes" | "polygons" | "polylines" | "points" | "keypoints" | "masks";

/** [x0, y0, x1, y1] */
export type Bbox = [number, number, number, number];

/** One object of the answer, read once (cached by its JSON object). */
export interface Shape {
  id: string;
  label: string;
  z: number;
  hidden: boolean;
  locked: boolean;
  occluded: boolean;
  truncated: boolean;
  score: number | null;
  geom: Geometry;
  bbox: Bbox;
  raw: JsonObject;
}

const isObj = (value: Json | undefined): value is JsonObject =>
  value !== null && value !== undefined && typeof value === "object" && !Array.isArray(value);
const num = (value: Json | undefined, fallback = 0): number => (typeof value === "number" && Number.isFinite(value) ? value : fallback);

/** Round to 0.01 px (what the editor stores). */
export const round2 = (value: number): number => Math.round(value * 100) / 100;
export const clamp = (value: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, value));

/** The answer's objects ([] when there is no answer). */
export function objectsOf(value: Json | undefined): JsonObject[] {
  if (!isObj(value) || !Array.isArray(value.objects)) return [];
  return value.objects.filter(isObj);
}

/** The answer for these objects: undefined (not answered) when there are none. */
export function toAnswer(previous: Json | undefined, objects: JsonObject[]): Json | undefined {
  if (objects.length === 0) return undefined;
  return isObj(previous) ? { ...previous, objects } : { objects };
}

function readPoints(value: Json | undefined): Pt[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((p): Pt[] => (Array.isArray(p) && p.length >= 2 ? [[num(p[0]), num(p[1])]] : []));
}

export function geometryOf(kind: ShapeKind, raw: JsonObject): Geometry {
  switch (kind) {
    case "boxes":
      return { type: "box", x: num(raw.x), y: num(raw.y), w: num(raw.w), h: num(raw.h), rotation: num(raw.rotation) };
    case "polygons":
      return { type: "polygon", points: readPoints(raw.points) };
    case "polylines":
      return { type: "polyline", points: readPoints(raw.points) };
    case "points":
      return { type: "point", x: num(raw.x), y: num(raw.y) };
    case "keypoints": {
      const points = Array.isArray(raw.points) ? raw.points : [];
      return {
        type: "keypoints",
        points: points.map((p): Keypoint => (Array.isArray(p) ? [num(p[0]), num(p[1]), num(p[2])] : [0, 0, 0])),
      };
    }
    case "masks": {
      const rle = isObj(raw.rle) ? raw.rle : {};
      const size = Array.isArray(rle.size) ? rle.size : [];
      return { type: "mask", rle: { size: [num(size[0]), num(size[1])], counts: typeof rle.counts === "string" ? rle.counts : "" } };
    }
  }
}

/** The corners of a box, rotated clockwise (degrees) about its centre. */
export function boxCorners(g: { x: number; y: number; w: number; h: number; rotation: number }): Pt[] {
  const corners: Pt[] = [
    [g.x, g.y],
    [g.x + g.w, g.y],
    [g.x + g.w, g.y + g.h],
    [g.x, g.y + g.h],
  ];
  if (!g.rotation) return corners;
  const cx = g.x + g.w / 2;
  const cy = g.y + g.h / 2;
  const a = (g.rotation * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  return corners.map(([x, y]): Pt => [cx + (x - cx) * cos - (y - cy) * sin, cy + (x - cx) * sin + (y - cy) * cos]);
}

function pointsBbox(points: ReadonlyArray<readonly number[]>): Bbox {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of points) {
    const x = p[0] as number;
    const y = p[1] as number;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return x0 === Infinity ? [0, 0, 0, 0] : [x0, y0, x1, y1];
}

export function bboxOf(geom: Geometry): Bbox {
  switch (geom.type) {
    case "box":
      return geom.rotation ? pointsBbox(boxCorners(geom)) : [geom.x, geom.y, geom.x + geom.w, geom.y + geom.h];
    case "polygon":
    case "polyline":
      return pointsBbox(geom.points);
    case "point":
      return [geom.x, geom.y, geom.x, geom.y];
    case "keypoints":
      return pointsBbox(geom.points.filter((p) => p[2] > 0));
    case "mask":
      return [0, 0, geom.rle.size[1], geom.rle.size[0]];
  }
}

const cache = new WeakMap<JsonObject, Shape>();

/** Read one object (cached: an unchanged object is read once). */
export function shapeOf(kind: ShapeKind, raw: JsonObject): Shape {
  const hit = cache.get(raw);
  if (hit && geomKindMatches(kind, hit.geom)) return hit;
  const geom = geometryOf(kind, raw);
  const shape: Shape = {
    id: typeof raw.id === "string" ? raw.id : String(raw.id ?? ""),
    label: typeof raw.label === "string" ? raw.label : "",
    z: Math.trunc(num(raw.z)),
    hidden: raw.hidden === true,
    locked: raw.locked === true,
    occluded: raw.occluded === true,
    truncated: raw.truncated === true,
    score: typeof raw.score === "number" ? raw.score : null,
    geom,
    bbox: bboxOf(geom),
    raw,
  };
  cache.set(raw, shape);
  return shape;
}

const GEOM_OF: Record<ShapeKind, Geometry["type"]> = {
  boxes: "box",
  polygons: "polygon",
  polylines: "polyline",
  points: "point",
  keypoints: "keypoints",
  masks: "mask",
};
const geomKindMatches = (kind: ShapeKind, geom: Geometry): boolean => GEOM_OF[kind] === geom.type;

export function shapesOf(kind: ShapeKind, value: Json | undefined): Shape[] {
  return objectsOf(value).map((raw) => shapeOf(kind, raw));
}

/** The JSON keys of a geometry (what replaces the object's old geometry keys). */
export function geometryJson(geom: Geometry): JsonObject {
  const pts = (points: ReadonlyArray<readonly number[]>): Json => points.map((p) => p.map(round2));
  switch (geom.type) {
    case "box": {
      const out: JsonObject = { x: round2(geom.x), y: round2(geom.y), w: round2(geom.w), h: round2(geom.h) };
      if (geom.rotation) out.rotation = round2(geom.rotation);
      return out;
    }
    case "polygon":
    case "polyline":
      return { points: pts(geom.points) };
    case "point":
      return { x: round2(geom.x), y: round2(geom.y) };
    case "keypoints":
      return { points: geom.points.map(([x, y, v]) => (v === 0 ? [0, 0, 0] : [round2(x), round2(y), v])) };
    case "mask":
      return { rle: { size: [geom.rle.size[0], geom.rle.size[1]], counts: geom.rle.counts } };
  }
}

/** The object with a new geometry (every other key kept; a zero rotation is dropped). */
export function withGeometry(raw: JsonObject, geom: Geometry): JsonObject {
  const out: JsonObject = { ...raw, ...geometryJson(geom) };
  if (geom.type === "box" && !geom.rotation) delete out.rotation;
  return out;
}

/** A fresh id: one more than the largest numeric id (ids are strings). */
export function nextId(objects: readonly JsonObject[]): string {
  let top = 0;
  for (const o of objects) {
    const n = typeof o.id === "string" && /^\d{1,12}$/.test(o.id) ? Number(o.id) : 0;
    if (n > top) top = n;
  }
  return String(top + 1);
}

export function newObject(objects: readonly JsonObject[], label: string, geom: Geometry): JsonObject {
  return { id: nextId(objects), label, ...geometryJson(geom) };
}

/** Replace the object with this id (by a function of it); others are kept as they are. */
export function updateObject(objects: readonly JsonObject[], id: string, change: (raw: JsonObject) => JsonObject): JsonObject[] {
  const at = objects.findIndex((o) => o.id === id);
  if (at < 0) return [...objects];
  const out = objects.slice();
  out[at] = change(objects[at] as JsonObject);
  return out;
}

export function removeObject(objects: readonly JsonObject[], id: string): JsonObject[] {
  return objects.filter((o) => o.id !== id);
}

/** Set (or, with false/undefined, remove) a flag or key of one object. */
export function setKey(raw: JsonObject, key: string, value: Json | undefined): JsonObject {
  const out = { ...raw };
  if (value === undefined || value === false) delete out[key];
  else out[key] = value;
  return out;
}

/** Move an object up (+1) or down (-1) the drawing order. */
export function shiftZ(raw: JsonObject, delta: number): JsonObject {
  const z = Math.trunc(num(raw.z)) + delta;
  return setKey(raw, "z", z === 0 ? undefined : z);
}

/** Every point of a geometry moved by (dx, dy). */
export function translate(geom: Geometry, dx: number, dy: number): Geometry {
  switch (geom.type) {
    case "box":
      return { ...geom, x: geom.x + dx, y: geom.y + dy };
    case "point":
      return { ...geom, x: geom.x + dx, y: geom.y + dy };
    case "polygon":
    case "polyline":
      return { ...geom, points: geom.points.map(([x, y]): Pt => [x + dx, y + dy]) };
    case "keypoints":
      return { ...geom, points: geom.points.map(([x, y, v]): Keypoint => (v === 0 ? [x, y, v] : [x + dx, y + dy, v])) };
    case "mask":
      return geom;
  }
}

/** The shift (dx, dy) limited so that the bounding box stays inside a W×H image. */
export function clampShift(bbox: Bbox, dx: number, dy: number, width: number, height: number): [number, number] {
  const [x0, y0, x1, y1] = bbox;
  const ddx = x1 - x0 > width ? -x0 : clamp(dx, -x0, width - x1);
  const ddy = y1 - y0 > height ? -y0 : clamp(dy, -y0, height - y1);
  return [ddx, ddy];
}

/** Move a geometry by (dx, dy), kept inside the image. */
export function moveInside(geom: Geometry, dx: number, dy: number, width: number, height: number): Geometry {
  const [ddx, ddy] = clampShift(bboxOf(geom), dx, dy, width, height);
  return translate(geom, ddx, ddy);
}

export type Handle = "nw" | "n" | "ne" | "e" | "se" | "s" | "sw" | "w";
export const HANDLES: Handle[] = ["nw", "n", "ne", "e", "se", "s", "sw", "w"];

/** Where each handle of an axis-aligned box is. */
export function handlePoint(box: { x: number; y: number; w: number; h: number }, handle: Handle): Pt {
  const x = handle.includes("w") ? box.x : handle.includes("e") ? box.x + box.w : box.x + box.w / 2;
  const y = handle.includes("n") ? box.y : handle.includes("s") ? box.y + box.h : box.y + box.h / 2;
  return [x, y];
}

/**
 * A box resized by dragging `handle` to (px, py) (image pixels), in the box's own frame when it
 * is rotated. Crossing the opposite edge flips the box; sides stay ≥ `minSide`; an unrotated box
 * stays inside the image.
 */
export function resizeBox(
  box: { x: number; y: number; w: number; h: number; rotation: number },
  handle: Handle,
  px: number,
  py: number,
  width: number,
  height: number,
  minSide = 1,
): { type: "box"; x: number; y: number; w: number; h: number; rotation: number } {
  const cx = box.x + box.w / 2;
  const cy = box.y + box.h / 2;
  const a = (-box.rotation * Math.PI) / 180;
  // The pointer in the unrotated frame of the box.
  const lx = box.rotation ? cx + (px - cx) * Math.cos(a) - (py - cy) * Math.sin(a) : clamp(px, 0, width);
  const ly = box.rotation ? cy + (px - cx) * Math.sin(a) + (py - cy) * Math.cos(a) : clamp(py, 0, height);
  let x0 = box.x;
  let y0 = box.y;
  let x1 = box.x + box.w;
  let y1 = box.y + box.h;
  if (handle.includes("w")) x0 = lx;
  if (handle.includes("e")) x1 = lx;
  if (handle.includes("n")) y0 = ly;
  if (handle.includes("s")) y1 = ly;
  let [nx0, nx1] = x0 <= x1 ? [x0, x1] : [x1, x0];
  let [ny0, ny1] = y0 <= y1 ? [y0, y1] : [y1, y0];
  if (nx1 - nx0 < minSide) nx1 = nx0 + minSide;
  if (ny1 - ny0 < minSide) ny1 = ny0 + minSide;
  if (!box.rotation) {
    if (nx1 > width) [nx0, nx1] = [Math.max(0, width - (nx1 - nx0)), width];
    if (ny1 > height) [ny0, ny1] = [Math.max(0, height - (ny1 - ny0)), height];
    return { type: "box", x: nx0, y: ny0, w: nx1 - nx0, h: ny1 - ny0, rotation: 0 };
  }
  // Keep the fixed corner where it was: rotate the new centre back into image space.
  const ncx = (nx0 + nx1) / 2;
  const ncy = (ny0 + ny1) / 2;
  const b = (box.rotation * Math.PI) / 180;
  const rcx = cx + (ncx - cx) * Math.cos(b) - (ncy - cy) * Math.sin(b);
  const rcy = cy + (ncx - cx) * Math.sin(b) + (ncy - cy) * Math.cos(b);
  const w = nx1 - nx0;
  const h = ny1 - ny0;
  return { type: "box", x: rcx - w / 2, y: rcy - h / 2, w, h, rotation: box.rotation };
}

/** The box spanned by two corners, clamped to the image (null when thinner than `minSide`). */
export function boxFromCorners(a: Pt, b: Pt, width: number, height: number, minSide = 1): Geometry | null {
  const x0 = clamp(Math.min(a[0], b[0]), 0, width);
  const x1 = clamp(Math.max(a[0], b[0]), 0, width);
  const y0 = clamp(Math.min(a[1], b[1]), 0, height);
  const y1 = clamp(Math.max(a[1], b[1]), 0, height);
  if (x1 - x0 < minSide || y1 - y0 < minSide) return null;
  return { type: "box", x: x0, y: y0, w: x1 - x0, h: y1 - y0, rotation: 0 };
}

/** A point clamped to the image. */
export const clampPoint = (p: Pt, width: number, height: number): Pt => [clamp(p[0], 0, width), clamp(p[1], 0, height)];

/** Move point `index` of a polygon, polyline or keypoints (clamped); other geometries unchanged. */
export function movePointOf(geom: Geometry, index: number, to: Pt, width: number, height: number): Geometry {
  const [x, y] = clampPoint(to, width, height);
  if (geom.type === "polygon" || geom.type === "polyline") {
    const points = geom.points.slice();
    if (index < 0 || index >= points.length) return geom;
    points[index] = [x, y];
    return { ...geom, points };
  }
  if (geom.type === "keypoints") {
    const points = geom.points.slice();
    const old = points[index];
    if (!old) return geom;
    points[index] = [x, y, old[2] === 0 ? 2 : old[2]];
    return { ...geom, points };
  }
  if (geom.type === "point") return { ...geom, x, y };
  return geom;
}

/** Rotate a box by `degrees` clockwise (kept in [0, 360)). */
export function rotateBox(geom: Geometry, degrees: number): Geometry {
  if (geom.type !== "box") return geom;
  const rotation = (((geom.rotation + degrees) % 360) + 360) % 360;
  return { ...geom, rotation };
}

/** Objects hidden by the score threshold (predictions scored below it). */
export const belowThreshold = (shape: Shape, threshold: number): boolean => shape.score !== null && shape.score < threshold;

/** Does the geometry lie inside a W×H image (with the 0.5 px tolerance the server allows)? */
export function insideImage(geom: Geometry, width: number, height: number): boolean {
  const [x0, y0, x1, y1] = bboxOf(geom);
  return x0 >= -0.5 && y0 >= -0.5 && x1 <= width + 0.5 && y1 <= height + 0.5;
}
