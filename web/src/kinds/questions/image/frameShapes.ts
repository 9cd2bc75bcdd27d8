/**
 * Per-frame shapes (docs/video.md, "Per-frame shapes"): a shape question (boxes, polygons,
 * polylines, points, keypoints) on a video field carries a `frame` on every object. The image
 * editor shows and edits one frame at a time: `atFrame` is the answer seen at a frame (the
 * objects of that frame, the same value while neither changes, so the editor does not redraw
 * for nothing), and `withFrame` puts what the editor made of it back into the whole answer:
 * the other frames' objects as they were, this frame's in their places, new ones (a drawn or a
 * pasted object) at this frame, with an id no other frame uses.
 */
import type { Json, JsonObject } from "../../../api/types";
import { nextId, objectsOf, toAnswer } from "./model";

const seen = new WeakMap<JsonObject, Map<number, Json | undefined>>();

/** The answer's objects at `frame` (undefined when there are none), as the editor's value. */
export function atFrame(value: Json | undefined, frame: number): Json | undefined {
  if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
  let frames = seen.get(value);
  if (!frames) seen.set(value, (frames = new Map()));
  if (frames.has(frame)) return frames.get(frame);
  const here = objectsOf(value).filter((o) => o.frame === frame);
  const view = here.length ? { objects: here } : undefined;
  frames.set(frame, view);
  return view;
}

/** The whole answer after the editor changed the objects at `frame` to those of `next`. */
export function withFrame(value: Json | undefined, frame: number, next: Json | undefined): Json | undefined {
  const all = objectsOf(value);
  const others = all.filter((o) => o.frame !== frame);
  const taken = new Set(others.map((o) => String(o.id)));
  const made: JsonObject[] = [];
  const edited = new Map<string, JsonObject>();
  for (const raw of objectsOf(next)) {
    let o: JsonObject = raw.frame === frame ? raw : { ...raw, frame };
    if (taken.has(String(o.id))) o = { ...o, id: nextId([...all, ...made, ...edited.values()]) };
    edited.set(String(o.id), o);
    made.push(o);
  }
  const out: JsonObject[] = [];
  for (const o of all) {
    if (o.frame !== frame) out.push(o);
    else {
      const kept = edited.get(String(o.id));
      if (kept) {
        out.push(kept);
        edited.delete(String(o.id));
      }
    }
  }
  out.push(...edited.values());
  return toAnswer(value, out);
}

/** The frames that have objects, in order. */
export function framesWithObjects(value: Json | undefined): number[] {
  const frames = new Set<number>();
  for (const o of objectsOf(value)) if (typeof o.frame === "number") frames.add(o.frame);
  return [...frames].sort((a, b) => a - b);
}
