/**
 * A YOLO dataset (Ultralytics layout) picked as a folder, read in the browser into import
 * rows: the twin of `YoloDataset` in src/accord/formats/yolo.py (read with `within` the picked
 * folder), making the same rows.
 *
 * The picked folder holds `data.yaml` (`path`, `train`, `val`, `test`, `names`, `kpt_shape`)
 * and the images and labels below its `path` (a `path` leading out of the picked folder, such
 * as an absolute one, falls back to the folder of `data.yaml`). Each of `train`, `val`, `test`
 * is a folder of images or a `.txt` list of them; an image's labels are at the same place
 * with `images` replaced by `labels` and the suffix `.txt`. Lines are told apart by their
 * length: 5 values a box, 9 an oriented box (when the boxes question has `rotation: true`),
 * `5 + K × D` a pose with `kpt_shape: [K, D]` (its box goes to the boxes question too), an
 * even number of 6 or more a polygon (or its bounds when only a boxes question offers it).
 */
import { parse } from "yaml";
import { DatasetError, importRow, type ImportRow, type Placed } from "./cocoRows";
import type { ImageSchema, ShapeQuestion } from "./imageSchema";

type Obj = Record<string, unknown>;

const SPLITS = ["train", "val", "test"];
const IMAGE_SUFFIXES = [".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"];
const MAX_LABEL_BYTES = 64 << 20;

/** What the reader needs of a picked file (a `File`; tests pass plain objects). */
export interface Readable {
  size: number;
  text(): Promise<string>;
}

/** A picked file: its relative name, and the file. */
export interface YoloFile<F extends Readable = Readable> {
  name: string;
  file: F;
}

export interface YoloDataset<F extends Readable = Readable> {
  /** The `data.yaml`'s relative name among the picked files. */
  yamlName: string;
  /** The folder the image names are relative to ("" for the top of the picked files). */
  root: string;
  names: string[];
  keypointShape: [number, number] | null;
  /** Image names (relative to `root`), each once, in the order of the splits. */
  images: string[];
  files: Map<string, YoloFile<F>>;
}

const join = (...parts: string[]): string => parts.filter((p) => p !== "").join("/");
const suffix = (name: string): string => {
  const base = name.slice(name.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot).toLowerCase() : "";
};

/** A `/`-separated path with `.` and `..` resolved; null when it leads above the top. */
export function normalize(path: string): string | null {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(part);
  }
  return out.join("/");
}

/** Python's ordering of paths: part by part. */
function byParts(a: string, b: string): number {
  const pa = a.split("/");
  const pb = b.split("/");
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] ?? "";
    const y = pb[i] ?? "";
    if (x !== y) return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** The picked folder's `data.yaml` (the shallowest one), read. */
export async function readYolo<F extends Readable>(picked: readonly YoloFile<F>[]): Promise<YoloDataset<F>> {
  const files = new Map(picked.map((p) => [p.name, p]));
  const yamls = picked.filter((p) => /(^|\/)data\.ya?ml$/i.test(p.name)).sort((a, b) => a.name.split("/").length - b.name.split("/").length);
  const yamlFile = yamls[0];
  if (!yamlFile) throw new DatasetError("the picked folder holds no data.yaml: pick the YOLO dataset's folder (the one with data.yaml, images/ and labels/)");
  const yamlName = yamlFile.name;
  let doc: unknown;
  try {
    doc = parse(await yamlFile.file.text());
  } catch (error) {
    throw new DatasetError(`cannot read ${yamlName}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new DatasetError(`${yamlName}: expected a mapping (names, train, val, ...)`);
  const data = doc as Obj;
  const names = namesOf(data.names, yamlName);
  const folder = yamlName.includes("/") ? yamlName.slice(0, yamlName.lastIndexOf("/")) : "";
  const wanted = String(data.path || ".");
  // As the server reads an unpacked zip: a `path` out of the picked folder is not followed.
  const top = yamlName.includes("/") ? (yamlName.split("/")[0] ?? "") : "";
  let root = wanted.startsWith("/") ? null : normalize(join(folder, wanted));
  if (root === null || (top !== "" && root !== top && !root.startsWith(`${top}/`)) || !isFolder(files, root)) root = folder;
  const keypointShape = kptShape(data.kpt_shape, yamlName);
  const images: string[] = [];
  const seen = new Set<string>();
  for (const split of SPLITS) {
    for (const place of listed(data[split])) {
      for (const image of await imagesOf(files, root, place, yamlName)) {
        if (!seen.has(image)) {
          seen.add(image);
          images.push(image);
        }
      }
    }
  }
  if (images.length === 0) throw new DatasetError(`${yamlName}: no images found under train, val or test (below ${root || "the picked folder"})`);
  return { yamlName, root, names, keypointShape, images, files };
}

const isFolder = (files: Map<string, YoloFile<Readable>>, folder: string): boolean =>
  folder === "" || [...files.keys()].some((name) => name.startsWith(`${folder}/`));

async function imagesOf(files: Map<string, YoloFile<Readable>>, root: string, place: string, yamlName: string): Promise<string[]> {
  const where = place.startsWith("/") ? null : normalize(join(root, place));
  let found: (string | null)[];
  if (where !== null && isFolder(files, where)) {
    found = [...files.keys()].filter((n) => (where === "" || n.startsWith(`${where}/`)) && IMAGE_SUFFIXES.includes(suffix(n))).sort(byParts);
  } else if (where !== null && files.has(where) && where.endsWith(".txt")) {
    const text = await (files.get(where) as YoloFile).file.text();
    found = splitLines(text)
      .map((line) => line.trim())
      .filter((line) => line !== "")
      .map((line) => (line.startsWith("/") ? null : normalize(join(root, line))));
  } else {
    throw new DatasetError(`${yamlName}: '${place}' is neither a folder of images nor a list`);
  }
  return found.map((path) => {
    if (path === null || (root !== "" && !path.startsWith(`${root}/`)))
      throw new DatasetError(`${yamlName}: an image of '${place}' is outside ${root || "the picked folder"}`);
    return root === "" ? path : path.slice(root.length + 1);
  });
}

/** The dataset's images to upload: each under its name relative to the root. */
export const yoloImages = <F extends Readable>(ds: YoloDataset<F>): YoloFile<F>[] =>
  ds.images.map((name) => {
    const picked = ds.files.get(join(ds.root, name));
    if (!picked) throw new DatasetError(`${ds.yamlName}: the image ${name} is listed but was not picked; pick the folder that holds it`);
    return { name, file: picked.file };
  });

/** One import row per image (see the module), and the shapes left out by label. */
export async function yoloRows(ds: YoloDataset, schema: ImageSchema, placed: Map<string, Placed>): Promise<{ rows: ImportRow[]; skipped: Map<string, number> }> {
  const skipped = new Map<string, number>();
  const rows: ImportRow[] = [];
  const base = ds.yamlName.slice(ds.yamlName.lastIndexOf("/") + 1);
  for (const name of ds.images) {
    const at = placed.get(name);
    if (!at) throw new DatasetError(`${ds.yamlName}: no uploaded file for the image '${name}'`);
    const labelName = join(ds.root, labelPath(name));
    const label = ds.files.get(labelName);
    const shapes = new Map<string, Obj[]>();
    if (label) {
      if (label.file.size > MAX_LABEL_BYTES) throw new DatasetError(`${labelName}: larger than ${MAX_LABEL_BYTES} bytes`);
      const text = (await label.file.text()).replace(/^\uFEFF/, "");
      splitLines(text).forEach((line, i) => {
        try {
          addLine(ds, schema, line, i + 1, at, shapes, skipped);
        } catch (error) {
          throw new DatasetError(`${labelName}, line ${i + 1}: ${error instanceof Error ? error.message : String(error)}`);
        }
      });
    }
    rows.push(importRow(schema, name, at, shapes, `yolo:${base}`));
  }
  return { rows, skipped };
}

/** Python's `str.splitlines()`. */
function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/);
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

export function labelPath(name: string): string {
  const parts = name.split("/");
  for (let i = parts.length - 2; i >= 0; i--) {
    if (parts[i] === "images") {
      parts[i] = "labels";
      break;
    }
  }
  const joined = parts.join("/");
  const ext = suffix(joined);
  return `${ext ? joined.slice(0, joined.length - ext.length) : joined}.txt`;
}

function listed(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
  throw new DatasetError(`expected a folder or a list of folders, got ${JSON.stringify(value)}`);
}

function namesOf(value: unknown, yamlName: string): string[] {
  if (Array.isArray(value)) return value.map((v) => (typeof v === "string" ? v : String(v)));
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as Obj);
    if (entries.every(([k]) => /^\s*\d+\s*$/.test(k))) {
      const byId = new Map(entries.map(([k, v]) => [Number(k), String(v)]));
      const ids = [...byId.keys()].sort((a, b) => a - b);
      if (ids.every((id, i) => id === i)) return ids.map((id) => byId.get(id) ?? "");
    }
  }
  throw new DatasetError(`${yamlName}: 'names' must be a list, or a mapping of every class id from 0 to its name`);
}

function kptShape(value: unknown, yamlName: string): [number, number] | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value) && value.length === 2 && value.every((v) => Number.isInteger(v)) && value[0] > 0 && (value[1] === 2 || value[1] === 3))
    return [value[0] as number, value[1] as number];
  throw new DatasetError(`${yamlName}: kpt_shape must be [number of keypoints, 2 or 3]`);
}

const questionFor = (schema: ImageSchema, kind: string, label: string): ShapeQuestion | undefined =>
  schema.questions.find((q) => q.kind === kind && q.labels.includes(label));

function addLine(ds: YoloDataset, schema: ImageSchema, line: string, number: number, at: Placed, shapes: Map<string, Obj[]>, skipped: Map<string, number>): void {
  const values = line.trim().split(/\s+/).filter((v) => v !== "");
  if (values.length === 0) return;
  const first = values[0] ?? "";
  if (!/^[+-]?\d+$/.test(first)) throw new Error(`invalid literal for int() with base 10: '${first}'`);
  const cls = Number(first);
  if (cls < 0 || cls >= ds.names.length) throw new Error(`class ${cls} is not in data.yaml's names (0..${ds.names.length - 1})`);
  const label = ds.names[cls] ?? "";
  if (!schema.labels.includes(label)) {
    skipped.set(label, (skipped.get(label) ?? 0) + 1);
    return;
  }
  const nums = values.slice(1).map((v) => {
    const n = Number(v);
    if (Number.isNaN(n) && !/^[+-]?nan$/i.test(v)) throw new Error(`could not convert string to float: '${v}'`);
    return n;
  });
  if (!nums.every(Number.isFinite)) throw new Error("a value is not a finite number");
  for (const [question, obj] of objects(ds, schema, nums, label, String(number), at)) {
    const held = shapes.get(question.name);
    if (held) held.push(obj);
    else shapes.set(question.name, [obj]);
  }
}

function objects(ds: YoloDataset, schema: ImageSchema, nums: number[], label: string, id: string, at: Placed): [ShapeQuestion, Obj][] {
  const { width: w, height: h } = at;
  const out: [ShapeQuestion, Obj][] = [];
  const kpt = ds.keypointShape;
  const boxes = questionFor(schema, "boxes", label);
  if (kpt !== null && nums.length === 4 + kpt[0] * kpt[1]) {
    const pose = questionFor(schema, "keypoints", label);
    if (pose) out.push([pose, poseOf(nums.slice(4), kpt[1], label, id, w, h, pose)]);
    if (boxes) out.push([boxes, box(nums.slice(0, 4), label, id, w, h)]);
  } else if (nums.length === 4) {
    if (boxes) out.push([boxes, box(nums, label, id, w, h)]);
  } else if (nums.length === 8 && boxes?.rotation) {
    out.push([boxes, oriented(nums, label, id, w, h)]);
  } else if (nums.length >= 6 && nums.length % 2 === 0) {
    const polygons = questionFor(schema, "polygons", label);
    const points: number[][] = [];
    for (let i = 0; i < nums.length; i += 2) points.push([(nums[i] ?? 0) * w, (nums[i + 1] ?? 0) * h]);
    if (polygons) out.push([polygons, { id, label, points }]);
    else if (boxes) {
      const xs = points.map((p) => p[0] ?? 0);
      const ys = points.map((p) => p[1] ?? 0);
      const x0 = Math.min(...xs);
      const y0 = Math.min(...ys);
      out.push([boxes, { id, label, x: x0, y: y0, w: Math.max(...xs) - x0, h: Math.max(...ys) - y0 }]);
    }
  } else {
    throw new Error(`${nums.length + 1} values: not a box, polygon or pose line`);
  }
  return out;
}

function box(nums: number[], label: string, id: string, w: number, h: number): Obj {
  const [cx = 0, cy = 0, bw = 0, bh = 0] = nums;
  return { id, label, x: (cx - bw / 2) * w, y: (cy - bh / 2) * h, w: bw * w, h: bh * h };
}

/** An oriented box from its four corners (in order around the box). */
function oriented(nums: number[], label: string, id: string, w: number, h: number): Obj {
  const pts: [number, number][] = [0, 2, 4, 6].map((i) => [(nums[i] ?? 0) * w, (nums[i + 1] ?? 0) * h]);
  const [p0, p1, p2] = pts as [[number, number], [number, number], [number, number]];
  const cx = pts.reduce((s, p) => s + p[0], 0) / 4;
  const cy = pts.reduce((s, p) => s + p[1], 0) / 4;
  const bw = dist(p0, p1);
  const bh = dist(p1, p2);
  const rotation = Math.atan2(p1[1] - p0[1], p1[0] - p0[0]) * (180 / Math.PI);
  const obj: Obj = { id, label, x: cx - bw / 2, y: cy - bh / 2, w: bw, h: bh };
  if (Math.abs(rotation) > 1e-9) {
    const mod = rotation % 360;
    obj.rotation = mod !== 0 && mod < 0 ? mod + 360 : mod;
  }
  return obj;
}

/** CPython's `math.dist` of two 2-D points, bit for bit (its `vector_norm`: lossless scaling
 * and squaring, then a differential correction; `Math.hypot` may differ in the last bit). */
export function dist(p: readonly [number, number], q: readonly [number, number]): number {
  const vec = [Math.abs(p[0] - q[0]), Math.abs(p[1] - q[1])];
  const max = Math.max(vec[0] ?? 0, vec[1] ?? 0);
  if (!Number.isFinite(max) || max === 0) return max;
  if (max < 2.2250738585072014e-308) return Math.hypot(vec[0] ?? 0, vec[1] ?? 0); // subnormal: not met in pixels
  let e = Math.floor(Math.log2(max)) + 1; // frexp's exponent: max * 2 ** -e in [0.5, 1)
  while (max * 2 ** -e >= 1) e += 1;
  while (max * 2 ** -e < 0.5) e -= 1;
  const scale = 2 ** -e;
  let csum = 1;
  let frac1 = 0;
  let frac2 = 0;
  for (const value of vec) {
    const x = value * scale;
    const [hi, lo] = mul(x, x);
    const sum = csum + hi;
    frac2 += csum - sum + hi;
    csum = sum;
    frac1 += lo;
  }
  let h = Math.sqrt(csum - 1 + (frac1 + frac2));
  const [hi, lo] = mul(-h, h);
  const sum = csum + hi;
  frac2 += csum - sum + hi;
  csum = sum;
  frac1 += lo;
  h += (csum - 1 + (frac1 + frac2)) / (2 * h);
  return h / scale;
}

/** Dekker's exact product: hi + lo = x * y. */
function mul(x: number, y: number): [number, number] {
  const [xh, xl] = split(x);
  const [yh, yl] = split(y);
  const p = xh * yh;
  const q = xh * yl + xl * yh;
  const z = p + q;
  return [z, p - z + q + xl * yl];
}

function split(x: number): [number, number] {
  const t = x * 134217729; // 2 ** 27 + 1
  const hi = t - (t - x);
  return [hi, x - hi];
}

function poseOf(nums: number[], dims: number, label: string, id: string, w: number, h: number, question: ShapeQuestion): Obj {
  const count = Math.floor(nums.length / dims);
  if (count !== question.points.length)
    throw new Error(`${count} keypoints, but the question '${question.name}' has a skeleton of ${question.points.length} points`);
  const points: number[][] = [];
  for (let i = 0; i < count; i++) {
    const x = nums[i * dims] ?? 0;
    const y = nums[i * dims + 1] ?? 0;
    const v = dims === 3 ? Math.trunc(nums[i * dims + 2] ?? 0) : x || y ? 2 : 0;
    points.push(v === 0 ? [0, 0, 0] : [x * w, y * h, v]);
  }
  return { id, label, points };
}
