import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../api";
import { parseInterface } from "../../editor/interface";
import type { Placed } from "./cocoRows";
import fixture from "./fixtures/yolo-rows.json";
import { imageSchemaOf, type ImageSchema } from "./imageSchema";
import { dist, labelPath, normalize, readYolo, yoloImages, yoloRows, type YoloFile } from "./yoloRows";

// The fixture's rows are what src/accord/formats/yolo.py makes of its files
// (tests/formats/test_yolo_browser.py checks that side).
function schemaOf(raw: unknown): ImageSchema {
  const schema = imageSchemaOf(parseInterface(raw as JsonObject));
  if (typeof schema === "string") throw new Error(schema);
  return schema;
}

const picked = (files: Record<string, string>): YoloFile[] =>
  Object.entries(files).map(([name, text]) => ({ name, file: { size: text.length, text: async () => text } }));

const placed = new Map<string, Placed>(Object.entries(fixture.placed));

/** Rotations to 12 digits: they come of `atan2`, which may differ from the C library's in
 * the last bit (everything else is compared bit for bit). */
function rounded(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rounded);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === "rotation" && typeof v === "number" ? Number(v.toPrecision(12)) : rounded(v)]));
}

describe("yoloRows", () => {
  it("makes the rows the Python reader makes", async () => {
    const ds = await readYolo(picked(fixture.files));
    expect(ds.root).toBe("ds");
    expect(ds.images).toEqual(fixture.images);
    expect(yoloImages(ds).map((i) => i.name)).toEqual(fixture.images);
    const { rows, skipped } = await yoloRows(ds, schemaOf(fixture.interface), placed);
    expect(rounded(rows)).toEqual(rounded(fixture.rows));
    expect(Object.fromEntries(skipped)).toEqual(fixture.skipped);
  });

  it("names the file and line that are wrong", async () => {
    const files = { ...fixture.files, "ds/labels/train/a.txt": "0 0.5 0.5\n7 0 0 1 1\n" };
    const ds = await readYolo(picked(files));
    await expect(yoloRows(ds, schemaOf(fixture.interface), placed)).rejects.toThrow("ds/labels/train/a.txt, line 1: 3 values: not a box, polygon or pose line");
    const bad = await readYolo(picked({ ...fixture.files, "ds/labels/train/a.txt": "9 0 0 1 1\n" }));
    await expect(yoloRows(bad, schemaOf(fixture.interface), placed)).rejects.toThrow("line 1: class 9 is not in data.yaml's names (0..3)");
  });

  it("says what a data.yaml lacks", async () => {
    await expect(readYolo(picked({ "ds/a.jpg": "" }))).rejects.toThrow(/holds no data\.yaml/);
    await expect(readYolo(picked({ "ds/data.yaml": "names: {0: a, 2: b}\ntrain: images\n", "ds/images/a.jpg": "" }))).rejects.toThrow(
      "ds/data.yaml: 'names' must be a list, or a mapping of every class id from 0 to its name",
    );
    await expect(readYolo(picked({ "ds/data.yaml": "names: [a]\ntrain: nowhere\n" }))).rejects.toThrow("ds/data.yaml: 'nowhere' is neither a folder of images nor a list");
    await expect(readYolo(picked({ "ds/data.yaml": "names: [a]\n" }))).rejects.toThrow("ds/data.yaml: no images found under train, val or test");
  });

  it("measures sides as Python's math.dist does, bit for bit", () => {
    expect(dist([0, 0], [3, 4])).toBe(5);
    // The fixture's oriented box: Math.hypot gives 14.751271131668624, math.dist …622.
    expect(dist([0.4 * 64, 0.25 * 48], [0.35 * 64, 0.55 * 48])).toBe(14.751271131668622);
  });

  it("follows paths as Python does", () => {
    expect(labelPath("images/train/x.y.JPG")).toBe("labels/train/x.y.txt");
    expect(labelPath("train/images/a")).toBe("train/labels/a.txt");
    expect(normalize("a/./b/../c")).toBe("a/c");
    expect(normalize("a/../..")).toBeNull();
  });
});
