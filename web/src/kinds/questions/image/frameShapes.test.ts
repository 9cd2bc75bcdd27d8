import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../../api/types";
import { atFrame, framesWithObjects, withFrame } from "./frameShapes";

const box = (id: string, frame: number, x = 1): JsonObject => ({ id, label: "car", x, y: 2, w: 3, h: 4, frame });

describe("per-frame shapes", () => {
  const value = { objects: [box("1", 0), box("2", 5), box("3", 0, 9)] };

  it("shows the objects of one frame, the same value while nothing changes", () => {
    expect(atFrame(value, 0)).toEqual({ objects: [box("1", 0), box("3", 0, 9)] });
    expect(atFrame(value, 0)).toBe(atFrame(value, 0));
    expect(atFrame(value, 7)).toBeUndefined();
    expect(atFrame(undefined, 0)).toBeUndefined();
  });

  it("puts an edit back: other frames kept, order kept, new objects at this frame", () => {
    const here = atFrame(value, 0) as { objects: JsonObject[] };
    const moved = { objects: [{ ...here.objects[0], x: 7 }, here.objects[1] as JsonObject, { id: "4", label: "car", x: 0, y: 0, w: 1, h: 1 }] };
    expect(withFrame(value, 0, moved)).toEqual({ objects: [box("1", 0, 7), box("2", 5), box("3", 0, 9), { id: "4", label: "car", x: 0, y: 0, w: 1, h: 1, frame: 0 }] });
    expect(withFrame(value, 0, { objects: [here.objects[1] as JsonObject] })).toEqual({ objects: [box("2", 5), box("3", 0, 9)] });
    expect(withFrame(value, 5, undefined)).toEqual({ objects: [box("1", 0), box("3", 0, 9)] });
    expect(withFrame(undefined, 3, { objects: [{ id: "1", label: "car", x: 0, y: 0, w: 1, h: 1 }] })).toEqual({ objects: [{ id: "1", label: "car", x: 0, y: 0, w: 1, h: 1, frame: 3 }] });
  });

  it("gives a pasted object (another frame's id and frame) this frame and a free id", () => {
    const pasted = { objects: [box("2", 5, 4)] };
    expect(withFrame(value, 3, pasted)).toEqual({ objects: [...value.objects, box("4", 3, 4)] });
    expect(framesWithObjects(value)).toEqual([0, 5]);
  });
});
