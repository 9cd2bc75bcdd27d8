import { describe, expect, it } from "vitest";
import { parseInterface } from "../../editor/interface";
import type { JsonObject } from "../../api";
import { cocoImageNames, cocoRows, DatasetError, readCoco, type Placed } from "./cocoRows";
import fixture from "./fixtures/coco-rows.json";
import { imageSchemaOf, type ImageSchema } from "./imageSchema";

// The fixture's rows are what src/accord/formats/coco.py makes of its COCO file
// (tests/formats/test_coco_browser.py checks that side).
function schemaOf(raw: unknown): ImageSchema {
  const schema = imageSchemaOf(parseInterface(raw as JsonObject));
  if (typeof schema === "string") throw new Error(schema);
  return schema;
}

const placed = new Map<string, Placed>(Object.entries(fixture.placed));

describe("cocoRows", () => {
  it("makes the rows the Python reader makes", () => {
    const coco = readCoco(JSON.stringify(fixture.coco), "instances.json");
    const { rows, skipped } = cocoRows(coco, schemaOf(fixture.interface), placed);
    expect(rows).toEqual(fixture.rows);
    expect(Object.fromEntries(skipped)).toEqual(fixture.skipped);
    expect(cocoImageNames(coco)).toEqual(["a.jpg", "sub/b.png", "c.jpg"]);
  });

  it("refuses what is not a COCO file, naming the file", () => {
    expect(() => readCoco("{", "x.json")).toThrow(/^x\.json: not a COCO annotation file/);
    expect(() => readCoco("[]", "x.json")).toThrow("x.json: the COCO file lists no images (its 'images' array)");
    expect(() => readCoco('{"images": [{"id": 1}]}', "x.json")).toThrow("x.json: images[0] needs an id and a file_name");
  });

  it("names the annotation that is wrong", () => {
    const base = { images: [{ id: 1, file_name: "a.jpg" }], categories: [{ id: 1, name: "cat" }] };
    const bad = (ann: object) => () =>
      cocoRows(readCoco(JSON.stringify({ ...base, annotations: [ann] }), "i.json"), schemaOf(fixture.interface), placed);
    expect(bad({ id: 5, image_id: 1, category_id: 7 })).toThrow("i.json: annotations[0] (id 5): category_id 7 is not among the file's categories");
    expect(bad({ id: 5, category_id: 1 })).toThrow("i.json: annotations[0] (id 5): missing the key 'image_id'");
    expect(bad({ id: 5, image_id: 1, category_id: 1, bbox: [1, 2] })).toThrow(DatasetError);
    const pose = { images: base.images, categories: [{ id: 3, name: "person" }], annotations: [{ id: 8, image_id: 1, category_id: 3, keypoints: [1, 2, 2] }] };
    expect(() => cocoRows(readCoco(JSON.stringify(pose), "p.json"), schemaOf(fixture.interface), placed)).toThrow(
      "p.json: annotations[0] (id 8): 1 keypoints, but the question 'pose' has a skeleton of 3 points (nose, left_eye, right_eye)",
    );
  });

  it("needs every image uploaded", () => {
    const coco = readCoco(JSON.stringify({ images: [{ id: 1, file_name: "gone.jpg" }] }), "i.json");
    expect(() => cocoRows(coco, schemaOf(fixture.interface), placed)).toThrow("i.json: no uploaded file for the image 'gone.jpg'");
  });
});

describe("imageSchemaOf", () => {
  it("says what the interface lacks", () => {
    expect(imageSchemaOf(parseInterface({ fields: [{ name: "t", kind: "text" }], questions: [] }))).toMatch(/no image field/);
    expect(imageSchemaOf(parseInterface({ fields: [{ name: "img", kind: "image" }], questions: [] }))).toMatch(
      /no shape question over its image field 'img'/,
    );
  });

  it("takes the labels of the questions once, in order", () => {
    expect(schemaOf(fixture.interface).labels).toEqual(["cat", "dog", "person"]);
    expect(schemaOf(fixture.interface).imageField).toBe("photo");
  });
});
