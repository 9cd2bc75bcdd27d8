/**
 * The tracks at one frame, as the image editor's objects (web/src/kinds/questions/image): the
 * video frame is the editor's picture and every track present there one of its objects (id:
 * the track's id), so drawing, selecting, moving, resizing and the keys of the image editor
 * work unchanged on a video frame. What the editor commits comes back through `applyFrameEdit`
 * as track edits at that frame: a new object is a new track, a moved or resized one a
 * keyframe, a relabelled one a relabelled track, a removed one a removed track.
 */
import type { Json, JsonObject } from "../../../api/types";
import type { ShapeSpec, TracksSpec } from "../../../editor/interface";
import { geometryOf, objectsOf } from "../image/model";
import {
  geomJson,
  newTrack,
  nextTrackId,
  relabelTrack,
  removeTrack,
  rounded,
  setGeometry,
  SHAPE_KIND,
  stateAt,
  toggleOccluded,
  type Track,
  type TrackGeom,
  type TrackState,
} from "./model";

/** The image editor's question for a tracks question (its labels, shape and limits). */
export function shapeSpecOf(q: TracksSpec): ShapeSpec {
  const common = { name: q.name, label: q.label, required: false, description: q.description, target: q.target, labels: q.labels, attributes: [], minObjects: 0, maxObjects: q.maxTracks };
  switch (q.shape) {
    case "box":
      return { ...common, kind: "boxes", rotation: q.rotation };
    case "polygon":
      return { ...common, kind: "polygons", selfIntersection: "allow", maxPoints: q.maxPoints };
    case "point":
      return { ...common, kind: "points", radius: 10 };
    case "keypoints":
      return { ...common, kind: "keypoints", skeleton: q.skeleton, sigmas: null };
  }
}

export interface FrameView {
  frame: number;
  tracks: readonly Track[];
  /** `{objects: [...]}`: what the image editor shows and edits. */
  value: JsonObject;
  states: ReadonlyMap<string, TrackState>;
}

/** Each track's object at its last frame shown: the same object while the track (unchanged,
 * its state at a frame is too) is shown at the same frame, so an edit of one track redraws
 * only that one. */
const drawn = new WeakMap<Track, { frame: number; object: JsonObject }>();
const views = new WeakMap<JsonObject, FrameView>();

function objectOf(track: Track, frame: number, state: TrackState): JsonObject {
  const hit = drawn.get(track);
  if (hit && hit.frame === frame) return hit.object;
  const object: JsonObject = { id: track.id, label: track.label, ...geomJson(state.geom) };
  if (state.occluded) object.occluded = true;
  drawn.set(track, { frame, object });
  return object;
}

/** The tracks at `frame` (`frames`: the video's frame count, null when unknown). */
export function frameView(tracks: readonly Track[], frame: number, frames: number | null): FrameView {
  const objects: JsonObject[] = [];
  const states = new Map<string, TrackState>();
  for (const track of tracks) {
    const state = stateAt(track, frame, frames);
    if (!state) continue;
    states.set(track.id, state);
    objects.push(objectOf(track, frame, state));
  }
  const view: FrameView = { frame, tracks, value: { objects }, states };
  views.set(view.value, view);
  return view;
}

/** The view an editor value was made from (null: not one of ours). */
export function viewOf(value: Json | undefined): FrameView | null {
  return value && typeof value === "object" && !Array.isArray(value) ? (views.get(value) ?? null) : null;
}

const sameGeom = (a: TrackGeom, b: TrackGeom): boolean => JSON.stringify(geomJson(a)) === JSON.stringify(geomJson(b));

export type FrameEdit = { tracks: Track[]; made: string | null } | { error: string };

/**
 * The tracks after the image editor changed the objects of `view` to `next` (at the view's
 * frame). `made`: the id of a new track.
 */
export function applyFrameEdit(question: TracksSpec, view: FrameView, next: Json | undefined, frames: number | null): FrameEdit {
  const kind = SHAPE_KIND[question.shape];
  const before = new Map(objectsOf(view.value).map((o) => [o.id as string, o]));
  const after = objectsOf(next);
  let tracks: Track[] = [...view.tracks];
  let made: string | null = null;
  const frame = view.frame;
  for (const o of after) {
    const id = typeof o.id === "string" ? o.id : String(o.id ?? "");
    const old = before.get(id);
    before.delete(id);
    if (old === o) continue;
    const geom = geometryOf(kind, o) as TrackGeom;
    if (!old) {
      if (tracks.length >= question.maxTracks) return { error: `this question takes at most ${question.maxTracks} tracks` };
      const fresh = tracks.some((t) => t.id === id) || !/^[^\s]{1,64}$/.test(id) ? nextTrackId(tracks) : id;
      tracks = newTrack(tracks, typeof o.label === "string" ? o.label : (question.labels[0]?.value ?? ""), frame, rounded(geom), fresh).tracks;
      made = fresh;
      continue;
    }
    if (o.label !== old.label && typeof o.label === "string") tracks = relabelTrack(tracks, id, o.label);
    const track = tracks.find((t) => t.id === id);
    if (!track) continue;
    let changed = track;
    if (!sameGeom(geom, geometryOf(kind, old) as TrackGeom)) changed = setGeometry(changed, frame, rounded(geom), frames);
    if ((o.occluded === true) !== (old.occluded === true)) {
      const toggled = toggleOccluded(changed, frame, frames);
      if (!("error" in toggled)) changed = toggled;
    }
    if (changed !== track) tracks = tracks.map((t) => (t.id === id ? changed : t));
  }
  for (const id of before.keys()) tracks = removeTrack(tracks, id);
  return { tracks, made };
}
