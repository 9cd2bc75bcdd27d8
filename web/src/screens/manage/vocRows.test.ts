// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../api";
import { parseInterface } from "../../editor/interface";
import type { Placed } from "./cocoRows";
import fixture from "./fixtures/voc-rows.json";
import { imageSchemaOf, type ImageSchema } from "./imageSchema";
import { readVoc, vocRows, type VocFile } from "./vocRows";

// The fixture's rows are what src/accord/formats/voc.py makes of its files
// (tests/formats/test_voc_browser.py checks that side).
function schemaOf(raw: unknown): ImageSchema {
  const schema = imageSchemaOf(parseInterface(raw as JsonObject));
  if (typeof schema === "string") throw new Error(schema);
  return schema;
}

const picked = (files: Record<string, string>): VocFile[] =>
  Object.entries(files).map(([name, text]) => ({ name, file: { size: text.length, text: async () => text } }));

const placed = new Map<string, Placed>(Object.entries(fixture.placed));

describe("vocRows", () => {
  it("makes the rows the Python reader makes", async () => {
    const ds = await readVoc(picked(fixture.files));
    expect(ds.images.map((i) => i.name)).toEqual(fixture.images);
    const { rows, skipped } = vocRows(ds, schemaOf(fixture.interface), placed, "voc:VOC");
    expect(rows).toEqual(fixture.rows);
    expect(Object.fromEntries(skipped)).toEqual(fixture.skipped);
  });

  it("refuses DTDs, broken XML and missing images, naming the file", async () => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><annotation><filename>&lol;</filename></annotation>';
    await expect(readVoc(picked({ ...fixture.files, "VOC/Annotations/c.xml": bomb }))).rejects.toThrow("VOC/Annotations/c.xml: declares a DTD or entities");
    await expect(readVoc(picked({ ...fixture.files, "VOC/Annotations/c.xml": "<annotation>" }))).rejects.toThrow("VOC/Annotations/c.xml: not well-formed XML");
    await expect(readVoc(picked({ ...fixture.files, "VOC/Annotations/c.xml": "<annotation/>" }))).rejects.toThrow("VOC/Annotations/c.xml: expected <annotation> with a <filename>");
    const files: Record<string, string> = { ...fixture.files };
    delete files["VOC/JPEGImages/b.png"];
    await expect(readVoc(picked(files))).rejects.toThrow("1 of the dataset's 2 images are not in VOC/JPEGImages/: b.png");
    await expect(readVoc(picked({ "VOC/x.txt": "" }))).rejects.toThrow("VOC: no .xml files");
  });

  it("names the object that is wrong", async () => {
    const xml = "<annotation><filename>a.jpg</filename><object><name>car</name><bndbox><xmin>x</xmin></bndbox></object></annotation>";
    const ds = await readVoc(picked({ "VOC/Annotations/a.xml": xml, "VOC/JPEGImages/a.jpg": "" }));
    expect(() => vocRows(ds, schemaOf(fixture.interface), placed, "voc:VOC")).toThrow("VOC/Annotations/a.xml: object 1: <xmin> holds 'x', not a number");
  });
});
