/**
 * Shape answers in words, for reading them rather than editing them: how many objects of each
 * label an answer has ("12 objects: 8 box, 4 bag"), and what one object is (its geometry in
 * short, score, z-order, group, flags and attributes). Used by the read-only image view
 * (ShapesInspector.tsx), the manager's task page and adjudication (answerText.ts). Pure.
 */
import type { Json } from "../../../api/types";
import { optionText, type ShapeSpec } from "../../../editor/interface";
import { shapesOf, type Geometry, type Shape } from "./model";
import { stringToCounts } from "./rle";

/** A number as people read coordinates: at most two decimals, no trailing zeros. */
export const px = (value: number): string => String(Math.round(value * 100) / 100);

/** The name a label is shown by (its option's text, else the value itself). */
export function labelText(question: ShapeSpec, value: string): string {
  const option = question.labels.find((o) => o.value === value);
  return option ? optionText(option) : value;
}

/** "3 objects: 2 car, 1 person" (labels in the question's order; "no objects" when none). */
export function objectCounts(question: ShapeSpec, shapes: readonly Shape[]): string {
  if (shapes.length === 0) return "no objects";
  const counts = new Map<string, number>();
  for (const option of question.labels) counts.set(option.value, 0);
  for (const shape of shapes) counts.set(shape.label, (counts.get(shape.label) ?? 0) + 1);
  const parts = [...counts].filter(([, n]) => n > 0).map(([label, n]) => `${n} ${labelText(question, label)}`);
  return `${shapes.length} object${shapes.length === 1 ? "" : "s"}: ${parts.join(", ")}`;
}

/** A shape answer in a line or two: the counts by label, and the range of the scores of a
 * model's objects. */
export function shapeAnswerLines(question: ShapeSpec, value: Json | undefined): string[] {
  const shapes = shapesOf(question.kind, value);
  const lines = [objectCounts(question, shapes)];
  const scores = shapes.flatMap((s) => (s.score === null ? [] : [s.score]));
  if (scores.length) {
    const lo = Math.min(...scores).toFixed(2);
    const hi = Math.max(...scores).toFixed(2);
    lines.push(`${scores.length === shapes.length ? "scored" : `${scores.length} scored`} ${lo === hi ? lo : `${lo}–${hi}`}`);
  }
  return lines;
}

/** The geometry in short: where a box is and its size, how many points, a mask's area. */
export function geometryText(question: ShapeSpec, geom: Geometry): string {
  switch (geom.type) {
    case "box":
      return `box ${px(geom.w)} × ${px(geom.h)} px at x ${px(geom.x)}, y ${px(geom.y)}${geom.rotation ? `, turned ${px(geom.rotation)}°` : ""}`;
    case "polygon":
      return `polygon of ${geom.points.length} points`;
    case "polyline":
      return `polyline of ${geom.points.length} points`;
    case "point":
      return `point at x ${px(geom.x)}, y ${px(geom.y)}`;
    case "keypoints": {
      const names = question.kind === "keypoints" ? question.skeleton.points : [];
      const labelled = geom.points.filter((p) => p[2] > 0).length;
      const visible = geom.points.filter((p) => p[2] === 2).length;
      return `${labelled} of ${names.length || geom.points.length} points labelled (${visible} visible)`;
    }
    case "mask": {
      const runs = geom.rle.counts ? stringToCounts(geom.rle.counts) : [];
      let area = 0;
      for (let i = 1; i < runs.length; i += 2) area += runs[i] as number;
      return `mask of ${area} px`;
    }
  }
}

/** An attribute's value in words (an option's text for choices). */
function attributeText(question: ShapeSpec, name: string, value: Json): string {
  const attribute = question.attributes.find((a) => a.name === name);
  const title = attribute ? attribute.label || attribute.name : name;
  const word = (v: Json): string => {
    const option = attribute?.options.find((o) => o.value === v);
    return option ? optionText(option) : typeof v === "string" ? v : JSON.stringify(v);
  };
  return `${title}: ${Array.isArray(value) ? value.map(word).join(", ") || "(none)" : word(value)}`;
}

/** What one object is, fact by fact: its geometry, score, z-order, group, flags, attributes. */
export function objectFacts(question: ShapeSpec, shape: Shape): string[] {
  const facts = [geometryText(question, shape.geom)];
  if (shape.score !== null) facts.push(`score ${shape.score.toFixed(2)}`);
  if (shape.z) facts.push(`z ${shape.z}`);
  if (typeof shape.raw.group === "number") facts.push(`group ${shape.raw.group}`);
  for (const flag of ["occluded", "truncated", "hidden", "locked"] as const) if (shape[flag]) facts.push(flag);
  const attributes = shape.raw.attributes;
  if (attributes && typeof attributes === "object" && !Array.isArray(attributes)) {
    for (const [name, value] of Object.entries(attributes)) facts.push(attributeText(question, name, value));
  }
  return facts;
}
