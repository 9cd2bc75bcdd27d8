/**
 * A Pascal VOC dataset picked as a folder, read in the browser into import rows: the twin of
 * `VocDataset` in src/accord/formats/voc.py, making the same rows.
 *
 * The picked folder holds `Annotations/*.xml` (else its own `*.xml`) and the images in
 * `JPEGImages/` (else beside the XML files). Each `<object>` gives its `<bndbox>` (1-based,
 * inclusive: `x = xmin - 1`, `w = xmax - xmin + 1`) to a boxes question and its `<polygon>`
 * (points moved by one) to a polygons question offering its `<name>`; `truncated`,
 * `difficult`, `occluded` and CVAT's `<attributes>` become flags and attributes. A file that
 * declares a DTD (or entities) is refused, as on the server.
 */
import { DatasetError, importRow, type ImportRow, type Placed } from "./cocoRows";
import type { ImageSchema } from "./imageSchema";
import { copyFlags } from "./shapeFlags";

type Obj = Record<string, unknown>;

const MAX_XML_BYTES = 16 << 20;
const FLAG_TAGS = ["truncated", "difficult", "occluded"];

export interface Readable {
  size: number;
  text(): Promise<string>;
}

export interface VocFile<F extends Readable = Readable> {
  name: string;
  file: F;
}

export interface VocDataset<F extends Readable = Readable> {
  /** Each annotation file's relative name and its `<annotation>` element, sorted by name. */
  parsed: { name: string; root: Element }[];
  /** Each image the files name, with its picked file. */
  images: VocFile<F>[];
}

const childElements = (element: Element): Element[] => Array.from(element.children);
const child = (element: Element, tag: string): Element | undefined => childElements(element).find((c) => c.tagName === tag);

/** ElementTree's `.text`: the text before the element's first child element. */
function ownText(element: Element): string {
  let text = "";
  for (const node of Array.from(element.childNodes)) {
    if (node.nodeType === 1) break;
    if (node.nodeType === 3 || node.nodeType === 4) text += node.nodeValue ?? "";
  }
  return text;
}

/** ElementTree's `findtext(tag)`: the first such child's text ("" when empty), else null. */
function findText(element: Element, tag: string): string | null {
  const found = child(element, tag);
  return found ? ownText(found) : null;
}

/** The XML of `name`, or `DatasetError` for a DTD or for XML that is not well-formed. */
export function safeXml(text: string, name: string): Element {
  if (/<!DOCTYPE|<!ENTITY/i.test(text))
    throw new DatasetError(`${name}: declares a DTD or entities, which VOC files never need and which can make a reader expand or fetch data; remove the <!DOCTYPE ...> part`);
  const doc = new DOMParser().parseFromString(text, "application/xml");
  const error = doc.getElementsByTagName("parsererror")[0];
  if (error || !doc.documentElement) throw new DatasetError(`${name}: not well-formed XML (${(error?.textContent ?? "").trim().split("\n")[0]})`);
  return doc.documentElement;
}

/** The picked folder's annotation files, read, and their images found. */
export async function readVoc<F extends Readable>(picked: readonly VocFile<F>[]): Promise<VocDataset<F>> {
  const top = picked[0]?.name.includes("/") ? (picked[0].name.split("/")[0] ?? "") : "";
  const join = (...parts: string[]) => parts.filter((p) => p !== "").join("/");
  const annotations = join(top, "Annotations");
  const hasAnnotations = picked.some((p) => p.name.startsWith(`${annotations}/`));
  const folder = hasAnnotations ? annotations : top;
  const xmls = picked.filter((p) => p.name.endsWith(".xml") && p.name.slice(0, p.name.lastIndexOf("/") + 1) === (folder ? `${folder}/` : ""));
  xmls.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (xmls.length === 0) throw new DatasetError(`${folder || "the picked files"}: no .xml files; pick the VOC dataset's folder (the one with Annotations/ and JPEGImages/)`);
  const parsed: VocDataset<F>["parsed"] = [];
  for (const xml of xmls) {
    if (xml.file.size > MAX_XML_BYTES) throw new DatasetError(`${xml.name}: larger than ${MAX_XML_BYTES} bytes`);
    const root = safeXml(await xml.file.text(), xml.name);
    if (root.tagName !== "annotation" || !(findText(root, "filename") ?? "").trim())
      throw new DatasetError(`${xml.name}: expected <annotation> with a <filename>`);
    parsed.push({ name: xml.name, root });
  }
  const files = new Map(picked.map((p) => [p.name, p]));
  const images: VocFile<F>[] = [];
  const missing: string[] = [];
  for (const name of new Set(parsed.map((p) => (findText(p.root, "filename") ?? "").trim()))) {
    const found = files.get(join(top, "JPEGImages", name)) ?? files.get(join(folder, name)) ?? files.get(join(top, name));
    if (found) images.push({ name, file: found.file });
    else missing.push(name);
  }
  if (missing.length) {
    const listed = missing.slice(0, 10).join(", ") + (missing.length > 10 ? ` (and ${missing.length - 10} more)` : "");
    throw new DatasetError(
      `${missing.length} of the dataset's ${images.length + missing.length} images are not in ${join(top, "JPEGImages") || "JPEGImages"}/: ${listed}; pick the folder that holds Annotations/ and JPEGImages/. Nothing was uploaded or imported.`,
    );
  }
  return { parsed, images };
}

/** One import row per annotation file (see the module), and the shapes left out by label. */
export function vocRows(ds: VocDataset, schema: ImageSchema, placed: Map<string, Placed>, source: string): { rows: ImportRow[]; skipped: Map<string, number> } {
  const skipped = new Map<string, number>();
  const rows = ds.parsed.map(({ name: file, root }) => {
    const name = (findText(root, "filename") ?? "").trim();
    const at = placed.get(name);
    if (!at) throw new DatasetError(`${file}: no uploaded file for the image '${name}'`);
    const shapes = new Map<string, Obj[]>();
    childElements(root)
      .filter((c) => c.tagName === "object")
      .forEach((element, i) => {
        try {
          addObject(schema, element, String(i + 1), shapes, skipped);
        } catch (error) {
          throw new DatasetError(`${file}: object ${i + 1}: ${error instanceof Error ? error.message : String(error)}`);
        }
      });
    return importRow(schema, name, at, shapes, source);
  });
  return { rows, skipped };
}

function addObject(schema: ImageSchema, element: Element, id: string, shapes: Map<string, Obj[]>, skipped: Map<string, number>): void {
  const label = (findText(element, "name") ?? "").trim();
  if (!schema.labels.includes(label)) {
    skipped.set(label, (skipped.get(label) ?? 0) + 1);
    return;
  }
  const extra = extraOf(element);
  const made: [string, Obj, (typeof schema.questions)[number]][] = [];
  const polygon = child(element, "polygon");
  const target = schema.questions.find((q) => q.kind === "polygons" && q.labels.includes(label));
  if (polygon && target) {
    const values = childElements(polygon).map((c) => toFloat(ownText(c), c.tagName) - 1);
    const points: number[][] = [];
    for (let i = 0; i < values.length - 1; i += 2) points.push([values[i] ?? 0, values[i + 1] ?? 0]);
    made.push([target.name, { id, label, points }, target]);
  }
  const boxes = schema.questions.find((q) => q.kind === "boxes" && q.labels.includes(label));
  const box = child(element, "bndbox");
  if (boxes && box) {
    const [a, b, c, d] = ["xmin", "ymin", "xmax", "ymax"].map((t) => toFloat(findText(box, t), t)) as [number, number, number, number];
    const [x0, x1] = [Math.min(a, c), Math.max(a, c)];
    const [y0, y1] = [Math.min(b, d), Math.max(b, d)];
    made.push([boxes.name, { id, label, x: x0 - 1, y: y0 - 1, w: x1 - x0 + 1, h: y1 - y0 + 1 }, boxes]);
  }
  for (const [name, obj, question] of made) {
    copyFlags(obj, question, extra);
    const held = shapes.get(name);
    if (held) held.push(obj);
    else shapes.set(name, [obj]);
  }
}

function toFloat(text: string | null, tag: string): number {
  const trimmed = (text ?? "").trim();
  const value = pyFloat(trimmed);
  if (value === null) throw new Error(`<${tag}> holds ${text === null ? "None" : `'${text}'`}, not a number`);
  return value;
}

/** Python's `float()` of a string, or null where it raises. */
function pyFloat(text: string): number | null {
  const t = text.trim();
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(t)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return null;
  return Number(t);
}

function extraOf(element: Element): Obj {
  const extra: Obj = {};
  for (const tag of FLAG_TAGS) {
    const text = (findText(element, tag) ?? "").trim();
    if (text) extra[tag] = text !== "0" && text !== "false";
  }
  const lists = childElements(element).filter((c) => c.tagName === "attributes");
  for (const attribute of lists.flatMap((list) => childElements(list).filter((c) => c.tagName === "attribute"))) {
    const name = (findText(attribute, "name") ?? "").trim();
    if (name) extra[name] = valueOf(findText(attribute, "value") ?? "");
  }
  return extra;
}

function valueOf(text: string): unknown {
  if (text === "true" || text === "false") return text === "true";
  if (/^\s*[+-]?\d+\s*$/.test(text)) return Number(text);
  const number = pyFloat(text);
  return number === null ? text : number;
}
