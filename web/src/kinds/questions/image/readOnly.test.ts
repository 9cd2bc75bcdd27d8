/** A read-only image editor (the manager's task page, adjudication's answers): it pans, zooms
 * and selects, and no key, click or drag changes the answer. */
import { describe, expect, it } from "vitest";
import type { Json } from "../../../api/types";
import { parseInterface, type ShapeSpec } from "../../../editor/interface";
import { ImageEditor } from "./editor";
import { handleKey, type KeyLike } from "./keys";
import { PointerInput } from "./pointer";
import { fitView } from "./view";

const VALUE: Json = { objects: [{ id: "1", label: "car", x: 20, y: 20, w: 40, h: 30 }, { id: "2", label: "person", x: 120, y: 50, w: 30, h: 30, locked: true }] };

function setup(kind = "boxes") {
  const spec = parseInterface({ fields: [{ name: "image", kind: "image" }], questions: [{ name: "q", kind, target: "image", labels: ["car", "person"] }] }).questions[0] as ShapeSpec;
  const ed = new ImageEditor(spec);
  ed.readOnly = true;
  const changes: Array<Json | undefined> = [];
  ed.sync({ question: spec, value: VALUE, onChange: (v) => changes.push(v), activate: () => {} });
  ed.setImage({} as CanvasImageSource, 200, 100);
  ed.view = fitView(200, 100, 200, 100);
  const key = (k: string, mods: Partial<KeyLike> = {}): boolean => handleKey(ed, { key: k, code: "", shiftKey: false, altKey: false, ctrlKey: false, metaKey: false, ...mods });
  const element = { getBoundingClientRect: () => ({ left: 0, top: 0 }), setPointerCapture: () => {}, releasePointerCapture: () => {} } as unknown as HTMLElement;
  const pointer = new PointerInput(ed, element, () => {});
  const event = (x: number, y: number, button = 0) => ({ clientX: x, clientY: y, button, pointerId: 1, shiftKey: false, altKey: false, ctrlKey: false, metaKey: false, preventDefault: () => {} }) as unknown as PointerEvent;
  return { ed, key, changes, pointer, event };
}

describe("a read-only image editor", () => {
  it("selects with Tab and Esc, but no editing key changes the answer", () => {
    const { ed, key, changes } = setup();
    expect(key("Tab")).toBe(true);
    expect(ed.ui.selectedId).toBe("1");
    for (const k of ["Delete", "Backspace", "2", "h", "l", "o", "t", "u", "PageUp", "n", "r", "Enter"]) key(k);
    key("ArrowRight", { altKey: true });
    key("v", { ctrlKey: true });
    expect(changes).toEqual([]);
    expect(ed.ui.selectedId).toBe("1");
    expect(key("Escape")).toBe(true);
    expect(ed.ui.selectedId).toBeNull();
    // Keys it does not use are left to the screen (adjudication's 1…9).
    expect(key("1")).toBe(false);
    expect(key("s")).toBe(false);
  });
  it("pans with the arrows (Shift: further), whether or not an object is selected", () => {
    const { ed, key, changes } = setup();
    const fitted = ed.view!;
    expect(key("ArrowLeft")).toBe(true);
    expect(ed.view!.ox).toBe(fitted.ox + 100);
    key("Tab");
    key("ArrowUp", { shiftKey: true });
    expect(ed.view!.oy).toBe(fitted.oy + 300);
    expect(ed.view!.scale).toBe(fitted.scale);
    expect(changes).toEqual([]);
  });
  it("selects on a click, pans on a drag, and never moves, draws or deletes", () => {
    const { ed, changes, pointer, event } = setup();
    pointer.down(event(30, 30));
    pointer.up(event(31, 30));
    expect(ed.ui.selectedId).toBe("1");
    const before = ed.view!;
    pointer.down(event(30, 30)); // on the selected box: a drag pans, the box stays
    pointer.move(event(60, 50));
    pointer.up(event(60, 50));
    expect(ed.view!.ox).toBe(before.ox + 30);
    expect(ed.view!.oy).toBe(before.oy + 20);
    pointer.down(event(5, 90)); // on empty image: no box is drawn
    pointer.move(event(15, 95));
    pointer.up(event(15, 95));
    pointer.dblclick(event(40, 40) as unknown as MouseEvent);
    expect(changes).toEqual([]);
    expect(ed.draft).toBeNull();
    pointer.down(event(190, 10)); // a click on nothing deselects
    pointer.up(event(190, 10));
    expect(ed.ui.selectedId).toBeNull();
  });
  it("refuses edits made through the editor itself", () => {
    const { ed, changes } = setup("polygons");
    expect(ed.add({ type: "polygon", points: [[0, 0], [10, 0], [10, 10]] })).toBeNull();
    ed.select("1");
    ed.removeSelected();
    ed.setAttribute("colour", "red");
    expect(changes).toEqual([]);
  });
});
