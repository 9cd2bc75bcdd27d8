/**
 * A project's image field and the shape questions over it, as the image formats see them:
 * the browser's twin of `ImageSchema` in src/accord/formats/shapes.py (same choice of field,
 * same questions, same labels in the same order).
 */
import type { Interface, QuestionSpec, ShapeSpec } from "../../editor/interface";

const SHAPE_KINDS = ["boxes", "polygons", "polylines", "points", "keypoints", "masks"] as const;

export interface AttributeSpec {
  name: string;
  type: "choice" | "multi_choice" | "number" | "text";
  options: string[];
}

export interface ShapeQuestion {
  name: string;
  kind: ShapeSpec["kind"];
  labels: string[];
  rotation: boolean;
  attributes: AttributeSpec[];
  /** keypoints: the skeleton's point names, in order. */
  points: string[];
}

export interface ImageSchema {
  imageField: string;
  questions: ShapeQuestion[];
  /** Every label of the questions, once, in the questions' order: the dataset's categories. */
  labels: string[];
}

function isShape(question: QuestionSpec): question is ShapeSpec {
  return (SHAPE_KINDS as readonly string[]).includes(question.kind);
}

/** The image field a dataset's images go to: the first one a shape question targets, else
 * the first image field; null when the project has none. */
export function imageFieldOf(iface: Interface): string | null {
  const images = iface.fields.filter((f) => f.kind === "image").map((f) => f.name);
  const targeted = new Set(iface.questions.filter(isShape).map((q) => q.target));
  return images.find((name) => targeted.has(name)) ?? images[0] ?? null;
}

/** The schema, or a message saying what the interface lacks. */
export function imageSchemaOf(iface: Interface): ImageSchema | string {
  const field = imageFieldOf(iface);
  if (field === null)
    return "the project has no image field to hold the dataset's images: add a field {name: image, kind: image} and shape questions (boxes, polygons, keypoints, masks) with target: image to its interface";
  const questions = iface.questions.filter(isShape).filter((q) => q.target === field).map(shapeQuestion);
  if (questions.length === 0)
    return `the project has no shape question over its image field '${field}': add one (boxes, polygons, keypoints or masks, with target: ${field}) to its interface`;
  const labels = [...new Set(questions.flatMap((q) => q.labels))];
  return { imageField: field, questions, labels };
}

function shapeQuestion(q: ShapeSpec): ShapeQuestion {
  return {
    name: q.name,
    kind: q.kind,
    labels: q.labels.map((o) => o.value),
    rotation: q.kind === "boxes" && q.rotation,
    attributes: q.attributes.map((a) => ({ name: a.name, type: a.type, options: a.options.map((o) => o.value) })),
    points: q.kind === "keypoints" ? q.skeleton.points : [],
  };
}
