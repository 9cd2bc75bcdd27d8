/**
 * A COCO annotation file read in the browser into import rows: the twin of `CocoDataset` in
 * src/accord/formats/coco.py, making the same rows (one per image: its name as the task's id,
 * the image field `{src, width, height}`, the shapes as one prediction `coco:<file name>`).
 *
 * Each annotation becomes a shape of every question over the image field that offers its
 * category: its `bbox` a box, each polygon of its `segmentation` a polygon (the parts of one
 * annotation share a `group`), an RLE a mask, its `keypoints` the keypoints of the question's
 * skeleton, matched by the category's keypoint names (by position when it names none).
 * Flags and attributes follow `shapeFlags.ts`.
 */
import { copyFlags } from "./shapeFlags";
import type { ImageSchema, ShapeQuestion } from "./imageSchema";
import { compressedCounts } from "./rle";

type Obj = Record<string, unknown>;

/** A file that cannot be read as a dataset: the message names the file, where and why. */
export class DatasetError extends Error {}

export interface CocoImage {
  id: unknown;
  fileName: string;
}

export interface CocoFile {
  name: string;
  images: CocoImage[];
  /** By category id: its name and keypoint names. */
  categories: Map<number, { name: string; keypoints: string[] }>;
  annotations: unknown[];
}

/** Where an image of the dataset went: the reference a task holds, and its size. */
export interface Placed {
  src: string;
  width: number;
  height: number;
}

export type ImportRow = Obj;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The COCO file `name` holding `text`; `DatasetError` when it is not one. */
export function readCoco(text: string, name: string): CocoFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new DatasetError(`${name}: not a COCO annotation file (${error instanceof Error ? error.message : String(error)})`);
  }
  const root = isObj(data) ? data : {};
  const rawImages = Array.isArray(root.images) ? root.images : [];
  if (rawImages.length === 0) throw new DatasetError(`${name}: the COCO file lists no images (its 'images' array)`);
  const images = rawImages.map((image, i) => {
    if (!isObj(image) || !("id" in image) || !image.file_name)
      throw new DatasetError(`${name}: images[${i}] needs an id and a file_name`);
    return { id: image.id, fileName: String(image.file_name) };
  });
  const categories = new Map<number, { name: string; keypoints: string[] }>();
  for (const [i, category] of (Array.isArray(root.categories) ? root.categories : []).entries()) {
    const id = isObj(category) ? Math.trunc(Number(category.id)) : NaN;
    if (!isObj(category) || !Number.isFinite(id) || category.name === undefined)
      throw new DatasetError(`${name}: not a COCO annotation file (categories[${i}] needs an id and a name)`);
    const keypoints = Array.isArray(category.keypoints) ? category.keypoints.map(String) : [];
    categories.set(id, { name: String(category.name), keypoints });
  }
  const annotations = Array.isArray(root.annotations) ? root.annotations : [];
  return { name, images, categories, annotations };
}

/** The file names of the dataset's images, in the file's order. */
export const cocoImageNames = (coco: CocoFile): string[] => coco.images.map((image) => image.fileName);

export interface CocoRows {
  rows: ImportRow[];
  /** Shapes left out, by category name: labels no question of the project offers. */
  skipped: Map<string, number>;
}

/** One import row per image, in the file's order (see the module). */
export function cocoRows(coco: CocoFile, schema: ImageSchema, placed: Map<string, Placed>): CocoRows {
  const reader = new Reader(coco, schema);
  const grouped = new Map<unknown, Map<string, Obj[]>>();
  coco.annotations.forEach((ann, i) => {
    const where = `${coco.name}: annotations[${i}] (id ${isObj(ann) && ann.id !== undefined ? String(ann.id) : "None"})`;
    try {
      if (!isObj(ann)) throw new Error("not an object");
      if (!("image_id" in ann)) throw new Error("missing the key 'image_id'");
      let shapes = grouped.get(ann.image_id);
      if (!shapes) grouped.set(ann.image_id, (shapes = new Map()));
      reader.add(ann, i + 1, shapes);
    } catch (error) {
      throw new DatasetError(`${where}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  const rows = coco.images.map((image) => {
    const at = placed.get(image.fileName);
    if (!at) throw new DatasetError(`${coco.name}: no uploaded file for the image '${image.fileName}'`);
    const shapes = grouped.get(image.id) ?? new Map<string, Obj[]>();
    grouped.delete(image.id);
    return importRow(schema, image.fileName, at, shapes, `coco:${coco.name}`);
  });
  return { rows, skipped: reader.skipped };
}

/** `import_row` of shapes.py: the image's name as the task's id, the shapes as a prediction. */
export function importRow(schema: ImageSchema, name: string, at: Placed, shapes: Map<string, Obj[]>, source: string): ImportRow {
  const row: ImportRow = { id: name, [schema.imageField]: { src: at.src, width: at.width, height: at.height } };
  const result: Obj = {};
  for (const [question, objects] of shapes) if (objects.length) result[question] = { objects };
  if (Object.keys(result).length) row.predictions = [{ model_version: source, result }];
  return row;
}

class Reader {
  readonly skipped = new Map<string, number>();
  private readonly byLabel = new Map<string, ShapeQuestion[]>();
  private group = 0;

  constructor(
    private readonly coco: CocoFile,
    schema: ImageSchema,
  ) {
    for (const label of schema.labels) this.byLabel.set(label, schema.questions.filter((q) => q.labels.includes(label)));
  }

  add(ann: Obj, number: number, shapes: Map<string, Obj[]>): void {
    if (!("category_id" in ann)) throw new Error("missing the key 'category_id'");
    const cid = ann.category_id;
    const category = typeof cid === "number" ? this.coco.categories.get(cid) : undefined;
    if (!category) throw new Error(`category_id ${JSON.stringify(cid)} is not among the file's categories`);
    const label = category.name;
    const questions = this.byLabel.get(label);
    if (!questions?.length) {
      this.skipped.set(label, (this.skipped.get(label) ?? 0) + 1);
      return;
    }
    const annId = ann.id !== undefined && ann.id !== null ? String(ann.id) : String(number);
    const extra: Obj = isObj(ann.attributes) ? { ...ann.attributes } : {};
    if (truthy(ann.iscrowd)) extra.iscrowd = true;
    const score = ann.score;
    for (const question of questions) {
      const made = this.objects(question, ann, annId, label, category.keypoints);
      if (!made.length) continue;
      for (const obj of made) {
        copyFlags(obj, question, extra);
        if (score !== undefined && score !== null) obj.score = toFloat(score);
      }
      const held = shapes.get(question.name);
      if (held) held.push(...made);
      else shapes.set(question.name, made);
    }
  }

  private objects(question: ShapeQuestion, ann: Obj, id: string, label: string, names: string[]): Obj[] {
    const segmentation = ann.segmentation;
    switch (question.kind) {
      case "boxes":
        return truthy(ann.bbox) ? box(ann.bbox, id, label) : [];
      case "polygons":
        return Array.isArray(segmentation) ? this.polygons(segmentation, id, label) : [];
      case "masks":
        return isObj(segmentation) ? [{ id, label, rle: compressedCounts(segmentation) }] : [];
      case "keypoints":
        return truthy(ann.keypoints) ? [{ id, label, points: keypoints(ann.keypoints, names, question) }] : [];
      default:
        return [];
    }
  }

  private polygons(parts: unknown[], id: string, label: string): Obj[] {
    const rings: number[][][] = [];
    for (const part of parts) {
      if (!Array.isArray(part)) throw new Error(`a segmentation polygon must be a list of numbers, not ${JSON.stringify(part)}`);
      const points: number[][] = [];
      for (let i = 0; i < part.length - 1; i += 2) points.push([toFloat(part[i]), toFloat(part[i + 1])]);
      const first = points[0];
      const last = points[points.length - 1];
      if (points.length > 3 && first && last && first[0] === last[0] && first[1] === last[1]) points.pop();
      if (points.length >= 3) rings.push(points);
    }
    const many = rings.length > 1;
    const objects = rings.map((points, k) => {
      const obj: Obj = { id: many ? `${id}.${k + 1}` : id, label, points };
      if (many) obj.group = this.group;
      return obj;
    });
    if (many) this.group += 1;
    return objects;
  }
}

function box(bbox: unknown, id: string, label: string): Obj[] {
  if (!Array.isArray(bbox) || bbox.length !== 4) throw new Error(`bbox must be [x, y, w, h], not ${JSON.stringify(bbox)}`);
  const [x, y, w, h] = bbox as unknown[];
  if (![x, y, w, h].every((v) => typeof v === "number")) throw new Error(`bbox must hold numbers, not ${JSON.stringify(bbox)}`);
  return (w as number) > 0 && (h as number) > 0 ? [{ id, label, x, y, w, h }] : [];
}

/** The question's skeleton points from COCO's `[x, y, v, ...]`, by name when the category
 * names its keypoints. */
export function keypoints(flat: unknown, names: string[], question: ShapeQuestion): number[][] {
  if (!Array.isArray(flat)) throw new Error(`keypoints must be a list [x, y, v, ...], not ${JSON.stringify(flat)}`);
  const triples: number[][] = [];
  for (let i = 0; i < flat.length - 2; i += 3) triples.push([toFloat(flat[i]), toFloat(flat[i + 1]), Math.trunc(toFloat(flat[i + 2]))]);
  const wanted = question.points;
  let points: number[][];
  if (names.length && names.length === triples.length) {
    const byName = new Map(names.map((name, i) => [name, triples[i] ?? [0, 0, 0]]));
    points = wanted.map((name) => byName.get(name) ?? [0, 0, 0]);
  } else if (triples.length === wanted.length) {
    points = triples;
  } else {
    throw new Error(
      `${triples.length} keypoints, but the question '${question.name}' has a skeleton of ${wanted.length} points (${wanted.join(", ")})`,
    );
  }
  return points.map(([x = 0, y = 0, v = 0]) => (v === 0 ? [0, 0, 0] : [x, y, v]));
}

/** Python's `float()` of a JSON value: a number, or a string that spells one. */
export function toFloat(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  throw new Error(`${JSON.stringify(value)} is not a number`);
}

/** Python's truth of a JSON value. */
export function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (isObj(value)) return Object.keys(value).length > 0;
  return Boolean(value);
}
