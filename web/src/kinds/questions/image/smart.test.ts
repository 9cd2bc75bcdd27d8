/**
 * The Smart tool's context (smart.ts): a click or a box in pixels of the image, with the
 * question's current label, as the server checks it (src/accord/jobs/ml_protocols.py,
 * `image_context_problems`); and `I` does nothing where no model server is offered.
 */
import { describe, expect, it } from "vitest";
import { parseInterface, type ShapeSpec } from "../../../editor/interface";
import { ImageEditor } from "./editor";
import { handleKey } from "./keys";
import { setSmartModel, smartAvailable, smartContext } from "./smart";

function editor(): ImageEditor {
  const question = { name: "outline", kind: "polygons", target: "photo", labels: ["blob", "other"] };
  const spec = parseInterface({ fields: [{ name: "photo", kind: "image" }], questions: [question] }).questions[0] as ShapeSpec;
  const ed = new ImageEditor(spec);
  ed.setImage({} as CanvasImageSource, 400, 240);
  return ed;
}

const key = (ed: ImageEditor, k: string): boolean => handleKey(ed, { key: k, code: "", shiftKey: false, altKey: false, ctrlKey: false, metaKey: false });

describe("the Smart tool's context", () => {
  it("sends a click as a point, clamped to the image and rounded to 0.01 px", () => {
    const ed = editor();
    expect(smartContext(ed, { point: [105.123, 300] })).toEqual({
      question: "outline",
      field: "photo",
      image: { width: 400, height: 240 },
      points: [{ x: 105.12, y: 240, label: "blob" }],
    });
  });

  it("sends a drag as a box from its top-left corner, whichever way it was dragged, with the current label", () => {
    const ed = editor();
    ed.setUi({ label: 1 });
    expect(smartContext(ed, { box: [[325, 165], [215.5, 65]] })).toMatchObject({
      boxes: [{ x: 215.5, y: 65, width: 109.5, height: 100, label: "other" }],
    });
  });

  it("is not offered (I is not its key) without a model server, nor on a read-only image", () => {
    const ed = editor();
    expect(smartAvailable(ed)).toBe(false);
    expect(key(ed, "i")).toBe(false);
    setSmartModel(ed, () => Promise.reject(new Error("not called")));
    expect(smartAvailable(ed)).toBe(true);
    ed.readOnly = true;
    expect(smartAvailable(ed)).toBe(false);
    setSmartModel(ed, null);
  });
});
