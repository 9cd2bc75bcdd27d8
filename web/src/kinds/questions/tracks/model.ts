/**
 * The tracks of a `tracks` answer (docs/kinds.md, docs/video.md): objects followed through the
 * frames of a video by keyframes, what a track is at any frame (the interpolation of the
 * contract, exactly as the server computes it: same float64 operations in the same order),
 * and the edits the widget makes. Pure functions over immutable tracks; each edit the widget
 * commits is one undo step (the editor's history). No DOM, no React.
 *
 * Speed: a track's keyframe frames are indexed once per track object (a WeakMap), so the
 * state at a frame is a binary search plus one interpolation, for 200 tracks a few
 * microseconds each.
 */
import type { Json, JsonObject } from "../../../api/types";
import { isObject } from "../../types";
import { geometryOf, type Geometry, type Keypoint, type Pt, type ShapeKind } from "../image/model";

export type TrackShape = "box" | "polygon" | "point" | "keypoints";
export type TrackGeom = Extract<Geometry, { type: TrackShape }>;

export interface Keyframe {
  frame: number;
  outside: boolean;
  occluded: boolean;
  /** The mutable attributes set on this keyframe (null: none). */
  attributes: JsonObject | null;
  /** null exactly when `outside`. */
  geom: TrackGeom | null;
}

export interface Track {
  id: string;
  label: string;
  /** The non-mutable attributes (fixed for the whole track). */
  attributes: JsonObject | null;
  score: number | null;
  /** Strictly increasing frames; the first is never outside. */
  keyframes: Keyframe[];
}

/** What a track is at one frame. */
export interface TrackState {
  geom: TrackGeom;
  occluded: boolean;
  /** The mutable attributes in force (held from the keyframes at or before the frame). */
  attributes: JsonObject;
  /** The keyframe at exactly this frame, if any. */
  keyframe: Keyframe | null;
}

export const SHAPE_KIND: Record<TrackShape, ShapeKind> = { box: "boxes", polygon: "polygons", point: "points", keypoints: "keypoints" };

// --- reading and writing the answer -----------------------------------------------------------

function readKeyframe(shape: TrackShape, raw: JsonObject): Keyframe | null {
  if (typeof raw.frame !== "number" || !Number.isInteger(raw.frame)) return null;
  const outside = raw.outside === true;
  return {
    frame: raw.frame,
    outside,
    occluded: raw.occluded === true,
    attributes: isObject(raw.attributes) ? raw.attributes : null,
    geom: outside ? null : (geometryOf(SHAPE_KIND[shape], raw) as TrackGeom),
  };
}

// A track read from its JSON and the JSON written for a track, both ways, so that an edit of
// one track leaves every other track (and what is drawn of it) the same object.
const readCache = new WeakMap<JsonObject, { shape: TrackShape; track: Track }>();
const jsonCache = new WeakMap<Track, JsonObject>();

function readTrack(shape: TrackShape, item: JsonObject): Track | null {
  const hit = readCache.get(item);
  if (hit && hit.shape === shape) return hit.track;
  if (typeof item.id !== "string" || typeof item.label !== "string" || !Array.isArray(item.keyframes)) return null;
  const keyframes = item.keyframes.flatMap((k) => {
    const read = isObject(k) ? readKeyframe(shape, k) : null;
    return read ? [read] : [];
  });
  keyframes.sort((a, b) => a.frame - b.frame);
  const track: Track = { id: item.id, label: item.label, attributes: isObject(item.attributes) ? item.attributes : null, score: typeof item.score === "number" ? item.score : null, keyframes };
  readCache.set(item, { shape, track });
  jsonCache.set(track, item);
  return track;
}

/** The answer's tracks (malformed entries left out; keyframes put in frame order). */
export function tracksOf(shape: TrackShape, value: Json | undefined): Track[] {
  if (!isObject(value) || !Array.isArray(value.tracks)) return [];
  return value.tracks.flatMap((item): Track[] => {
    const track = isObject(item) ? readTrack(shape, item) : null;
    return track ? [track] : [];
  });
}

/** The JSON keys of a geometry, as they are (no rounding: see `rounded`). */
export function geomJson(geom: TrackGeom): JsonObject {
  switch (geom.type) {
    case "box": {
      const out: JsonObject = { x: geom.x, y: geom.y, w: geom.w, h: geom.h };
      if (geom.rotation) out.rotation = geom.rotation;
      return out;
    }
    case "point":
      return { x: geom.x, y: geom.y };
    case "polygon":
      return { points: geom.points.map((p) => [p[0], p[1]]) };
    case "keypoints":
      return { points: geom.points.map((p) => [p[0], p[1], p[2]]) };
  }
}

const r2 = (v: number): number => Math.round(v * 100) / 100;

/** A geometry as the editor stores it: every coordinate rounded to 0.01 px. */
export function rounded(geom: TrackGeom): TrackGeom {
  switch (geom.type) {
    case "box":
      return { ...geom, x: r2(geom.x), y: r2(geom.y), w: r2(geom.w), h: r2(geom.h), rotation: r2(geom.rotation) };
    case "point":
      return { ...geom, x: r2(geom.x), y: r2(geom.y) };
    case "polygon":
      return { ...geom, points: geom.points.map((p): Pt => [r2(p[0]), r2(p[1])]) };
    case "keypoints":
      return { ...geom, points: geom.points.map((p): Keypoint => (p[2] === 0 ? [0, 0, 0] : [r2(p[0]), r2(p[1]), p[2]])) };
  }
}

function keyframeJson(k: Keyframe): JsonObject {
  if (k.outside || !k.geom) return { frame: k.frame, outside: true };
  const out: JsonObject = { frame: k.frame, ...geomJson(k.geom) };
  if (k.occluded) out.occluded = true;
  if (k.attributes && Object.keys(k.attributes).length) out.attributes = k.attributes;
  return out;
}

/** The answer for these tracks (undefined when there are none: not answered). */
export function toAnswer(tracks: readonly Track[]): Json | undefined {
  if (tracks.length === 0) return undefined;
  return {
    tracks: tracks.map((t) => {
      const known = jsonCache.get(t);
      if (known) return known;
      const out: JsonObject = { id: t.id, label: t.label };
      if (t.attributes && Object.keys(t.attributes).length) out.attributes = t.attributes;
      if (t.score !== null) out.score = t.score;
      out.keyframes = t.keyframes.map(keyframeJson);
      jsonCache.set(t, out);
      const shape = t.keyframes[0]?.geom?.type;
      if (shape) readCache.set(out, { shape, track: t });
      return out;
    }),
  };
}

/** An id not used yet: t1, t2, ... (one more than the largest tN). */
export function nextTrackId(tracks: readonly Track[]): string {
  let top = 0;
  for (const t of tracks) {
    const m = /^t(\d{1,9})$/.exec(t.id);
    if (m) top = Math.max(top, Number(m[1]));
  }
  return `t${top + 1}`;
}

// --- interpolation ----------------------------------------------------------------------------

interface Index {
  frames: Float64Array;
  /** The mutable attributes in force from keyframe i on (each keyframe's over the ones before). */
  held: JsonObject[];
}
const indexes = new WeakMap<Track, Index>();
const EMPTY: JsonObject = Object.freeze({}) as JsonObject;

function indexOf(track: Track): Index {
  let index = indexes.get(track);
  if (index) return index;
  const frames = new Float64Array(track.keyframes.length);
  const held: JsonObject[] = [];
  let now = EMPTY;
  track.keyframes.forEach((k, i) => {
    frames[i] = k.frame;
    if (k.attributes && Object.keys(k.attributes).length) now = { ...now, ...k.attributes };
    held.push(now);
  });
  index = { frames, held };
  indexes.set(track, index);
  return index;
}

/** The index of the last keyframe at or before `frame` (-1: none). */
export function keyframeIndexAt(track: Track, frame: number): number {
  const { frames } = indexOf(track);
  let low = 0;
  let high = frames.length - 1;
  if (high < 0 || frame < (frames[0] as number)) return -1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((frames[mid] as number) <= frame) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** Python's float `%` (floored, the result takes the divisor's sign), which the server uses. */
export function pyMod(x: number, m: number): number {
  const r = x % m;
  if (r === 0) return 0;
  return r < 0 !== m < 0 ? r + m : r;
}

const lerp = (a: number, b: number, t: number): number => a + t * (b - a);

/**
 * The outline resampled to `n` vertices equally spaced along its closed perimeter, from
 * vertex 0 in the given order: vertex j at arc length j * P / n.
 */
export function resample(points: readonly Pt[], n: number): Pt[] {
  const m = points.length;
  const lengths: number[] = [];
  const starts: number[] = [];
  let total = 0;
  for (let i = 0; i < m; i++) {
    const a = points[i] as Pt;
    const b = points[(i + 1) % m] as Pt;
    const dx = b[0] - a[0];
    const dy = b[1] - a[1];
    starts.push(total);
    const length = Math.sqrt(dx * dx + dy * dy);
    lengths.push(length);
    total += length;
  }
  const out: Pt[] = [];
  let edge = 0;
  for (let j = 0; j < n; j++) {
    const s = (j * total) / n;
    while (edge < m - 1 && (starts[edge + 1] as number) <= s) edge++;
    const a = points[edge] as Pt;
    const b = points[(edge + 1) % m] as Pt;
    const length = lengths[edge] as number;
    const t = length > 0 ? (s - (starts[edge] as number)) / length : 0;
    out.push([lerp(a[0], b[0], t), lerp(a[1], b[1], t)]);
  }
  return out;
}

/** The geometry between two keyframes' geometries at t in (0, 1). */
export function interpolate(a: TrackGeom, b: TrackGeom, t: number): TrackGeom {
  if (a.type === "box" && b.type === "box") {
    const r0 = a.rotation;
    const d = pyMod(b.rotation - r0 + 540, 360) - 180;
    return { type: "box", x: lerp(a.x, b.x, t), y: lerp(a.y, b.y, t), w: lerp(a.w, b.w, t), h: lerp(a.h, b.h, t), rotation: r0 + t * d };
  }
  if (a.type === "point" && b.type === "point") return { type: "point", x: lerp(a.x, b.x, t), y: lerp(a.y, b.y, t) };
  if (a.type === "polygon" && b.type === "polygon") {
    const n = Math.max(a.points.length, b.points.length);
    // As the server does: only an outline with fewer vertices than n is resampled.
    const pa = a.points.length === n ? a.points : resample(a.points, n);
    const pb = b.points.length === n ? b.points : resample(b.points, n);
    return { type: "polygon", points: pa.map((p, i): Pt => [lerp(p[0], (pb[i] as Pt)[0], t), lerp(p[1], (pb[i] as Pt)[1], t)]) };
  }
  if (a.type === "keypoints" && b.type === "keypoints") {
    return {
      type: "keypoints",
      points: a.points.map((p, i): Keypoint => {
        const q = b.points[i];
        if (!q || p[2] <= 0 || q[2] <= 0) return p;
        return [lerp(p[0], q[0], t), lerp(p[1], q[1], t), p[2]];
      }),
    };
  }
  return a;
}

/**
 * What `track` is at `frame` (null: absent there). `frames`: the video's frame count when
 * known (a track whose last keyframe is not outside holds its shape up to the last frame),
 * else null (absent after its last keyframe).
 */
export function stateAt(track: Track, frame: number, frames: number | null): TrackState | null {
  const i = keyframeIndexAt(track, frame);
  if (i < 0) return null;
  const { held } = indexOf(track);
  const k0 = track.keyframes[i] as Keyframe;
  if (k0.outside || !k0.geom) return null;
  const attributes = held[i] as JsonObject;
  if (k0.frame === frame) return { geom: k0.geom, occluded: k0.occluded, attributes, keyframe: k0 };
  const k1 = track.keyframes[i + 1];
  if (!k1) {
    if (frames === null || frame > frames - 1) return null;
    return { geom: k0.geom, occluded: k0.occluded, attributes, keyframe: null };
  }
  if (k1.outside || !k1.geom) return { geom: k0.geom, occluded: k0.occluded, attributes, keyframe: null };
  const t = (frame - k0.frame) / (k1.frame - k0.frame);
  return { geom: interpolate(k0.geom, k1.geom, t), occluded: k0.occluded, attributes, keyframe: null };
}

/**
 * The frame ranges [start, end] (both included) where the track is present, as far as its
 * keyframes reach: from a visible keyframe to the next outside one (excluded) or to the last
 * keyframe, then on to `last` (the video's last frame) when given.
 */
export function presentRanges(track: Track, last: number | null): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start: number | null = null;
  for (const k of track.keyframes) {
    if (k.outside) {
      if (start !== null) out.push([start, k.frame - 1]);
      start = null;
    } else if (start === null) start = k.frame;
  }
  const end = track.keyframes[track.keyframes.length - 1];
  if (start !== null && end) out.push([start, last !== null ? Math.max(last, end.frame) : end.frame]);
  return out;
}

// --- edits ------------------------------------------------------------------------------------

export type Edit = { tracks: Track[] } | { error: string };

const replace = (tracks: readonly Track[], track: Track): Track[] => tracks.map((t) => (t.id === track.id ? track : t));

/** The keyframes with `k` at its frame (replacing one there). */
function put(keyframes: readonly Keyframe[], k: Keyframe): Keyframe[] {
  const out = keyframes.filter((x) => x.frame !== k.frame);
  const at = out.findIndex((x) => x.frame > k.frame);
  if (at < 0) out.push(k);
  else out.splice(at, 0, k);
  return out;
}

/** Leading outside keyframes dropped (a track starts where it is first seen). */
function trimStart(keyframes: Keyframe[]): Keyframe[] {
  let i = 0;
  while (i < keyframes.length && (keyframes[i] as Keyframe).outside) i++;
  return i ? keyframes.slice(i) : keyframes;
}

/** A new track with one keyframe at `frame`. */
export function newTrack(tracks: readonly Track[], label: string, frame: number, geom: TrackGeom, id = nextTrackId(tracks)): { tracks: Track[]; made: Track } {
  const made: Track = { id, label, attributes: null, score: null, keyframes: [{ frame, outside: false, occluded: false, attributes: null, geom }] };
  return { tracks: [...tracks, made], made };
}

/** The shape the track has at `frame`, else the one it had last before (or first, after). */
function shapeNear(track: Track, frame: number, frames: number | null): TrackGeom | null {
  const state = stateAt(track, frame, frames);
  if (state) return state.geom;
  let found: TrackGeom | null = null;
  for (const k of track.keyframes) {
    if (k.frame > frame && found) break;
    if (k.geom) found = k.geom;
    if (k.frame > frame) break;
  }
  return found;
}

/** Moved or resized at `frame`: a keyframe there with this geometry (it keeps what was in force there). */
export function setGeometry(track: Track, frame: number, geom: TrackGeom, frames: number | null): Track {
  const state = stateAt(track, frame, frames);
  const here = state?.keyframe ?? track.keyframes.find((k) => k.frame === frame) ?? null;
  const k: Keyframe = { frame, outside: false, occluded: here && !here.outside ? here.occluded : (state?.occluded ?? false), attributes: here?.attributes ?? null, geom };
  return { ...track, keyframes: trimStart(put(track.keyframes, k)) };
}

/** K: a keyframe at `frame` (the shape there, or the nearest one), or, on a keyframe, none. */
export function toggleKeyframe(track: Track, frame: number, frames: number | null): Track | { error: string } {
  const here = track.keyframes.find((k) => k.frame === frame);
  if (here) return deleteKeyframe(track, frame);
  const geom = shapeNear(track, frame, frames);
  if (!geom) return { error: `track ${track.id} has no shape to put on frame ${frame}` };
  return setGeometry(track, frame, geom, frames);
}

/** The keyframe at `frame` removed (not the last one left: delete the track instead). */
export function deleteKeyframe(track: Track, frame: number): Track | { error: string } {
  const keyframes = trimStart(track.keyframes.filter((k) => k.frame !== frame));
  if (keyframes.length === track.keyframes.length) return { error: `track ${track.id} has no keyframe on frame ${frame}` };
  if (keyframes.length === 0) return { error: `frame ${frame} holds the only shape of track ${track.id}: delete the track instead (Delete)` };
  return { ...track, keyframes };
}

/**
 * O: present at `frame` → it leaves the picture there (an outside keyframe); absent → it
 * comes back there with the shape it had last (or its first, before it starts).
 */
export function toggleOutside(track: Track, frame: number, frames: number | null): Track | { error: string } {
  const state = stateAt(track, frame, frames);
  const first = track.keyframes[0];
  if (state) {
    if (first && first.frame === frame) return { error: `track ${track.id} starts on frame ${frame}: it cannot leave the picture where it starts (K removes this keyframe)` };
    let keyframes = put(track.keyframes, { frame, outside: true, occluded: false, attributes: null, geom: null });
    // An outside keyframe right after this one would change nothing: it goes.
    const at = keyframes.findIndex((k) => k.frame === frame);
    if (keyframes[at + 1]?.outside) keyframes = keyframes.filter((_, i) => i !== at + 1);
    return { ...track, keyframes };
  }
  const geom = shapeNear(track, frame, frames);
  if (!geom) return { error: `track ${track.id} has no shape to bring back on frame ${frame}` };
  return setGeometry(track, frame, geom, frames);
}

/** C: occluded on / off from `frame` on (a keyframe there). */
export function toggleOccluded(track: Track, frame: number, frames: number | null): Track | { error: string } {
  const state = stateAt(track, frame, frames);
  if (!state) return { error: `track ${track.id} is not on frame ${frame}` };
  const k: Keyframe = state.keyframe ? { ...state.keyframe, occluded: !state.occluded } : { frame, outside: false, occluded: !state.occluded, attributes: null, geom: state.geom };
  return { ...track, keyframes: put(track.keyframes, k) };
}

/** A mutable attribute set from `frame` on (until a later keyframe sets it again). */
export function setMutableAttribute(track: Track, frame: number, name: string, value: Json | undefined, frames: number | null): Track | { error: string } {
  const state = stateAt(track, frame, frames);
  if (!state) return { error: `track ${track.id} is not on frame ${frame}: its attributes change where it is seen` };
  const base = state.keyframe ?? { frame, outside: false, occluded: state.occluded, attributes: null, geom: state.geom };
  const attributes: JsonObject = { ...(base.attributes ?? {}) };
  if (value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) delete attributes[name];
  else attributes[name] = value;
  return { ...track, keyframes: put(track.keyframes, { ...base, attributes: Object.keys(attributes).length ? attributes : null }) };
}

/** A track-wide (non-mutable) attribute. */
export function setTrackAttribute(track: Track, name: string, value: Json | undefined): Track {
  const attributes: JsonObject = { ...(track.attributes ?? {}) };
  if (value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) delete attributes[name];
  else attributes[name] = value;
  return { ...track, attributes: Object.keys(attributes).length ? attributes : null };
}

/**
 * P: the shape at `frame` held for `n` frames: keyframes at `frame` and at `frame + n` (at
 * most `last`) with this shape, the keyframes between them replaced.
 */
export function propagate(track: Track, frame: number, n: number, last: number | null, frames: number | null): Track | { error: string } {
  const state = stateAt(track, frame, frames);
  if (!state) return { error: `track ${track.id} is not on frame ${frame}: nothing to propagate` };
  if (!Number.isInteger(n) || n < 1) return { error: `propagate takes a whole number of frames ≥ 1 (not ${n})` };
  const to = last === null ? frame + n : Math.min(last, frame + n);
  if (to <= frame) return { error: `frame ${frame} is the video's last: nothing after it to propagate to` };
  const here: Keyframe = state.keyframe ?? { frame, outside: false, occluded: state.occluded, attributes: null, geom: state.geom };
  const kept = track.keyframes.filter((k) => k.frame < frame || k.frame > to);
  const there: Keyframe = { frame: to, outside: false, occluded: state.occluded, attributes: null, geom: state.geom };
  return { ...track, keyframes: put(put(kept, here), there) };
}

/**
 * X: the track cut at `frame` (where it is present, after its first keyframe) into two: the
 * first ends there (outside from `frame`), the second, `newId`, starts there with the shape
 * it had.
 */
export function splitTrack(tracks: readonly Track[], id: string, frame: number, frames: number | null, newId = nextTrackId(tracks)): Edit {
  const track = tracks.find((t) => t.id === id);
  if (!track) return { error: `no track ${id}` };
  const state = stateAt(track, frame, frames);
  if (!state) return { error: `track ${id} is not on frame ${frame}: split it where it is seen` };
  if ((track.keyframes[0] as Keyframe).frame >= frame) return { error: `track ${id} starts on frame ${frame}: there is nothing before to split off` };
  const before = track.keyframes.filter((k) => k.frame < frame);
  const ending = (before[before.length - 1] as Keyframe).outside ? before : [...before, { frame, outside: true, occluded: false, attributes: null, geom: null }];
  const start: Keyframe = { frame, outside: false, occluded: state.occluded, attributes: Object.keys(state.attributes).length ? state.attributes : null, geom: state.geom };
  const after = trimStart([start, ...track.keyframes.filter((k) => k.frame > frame)]);
  const second: Track = { id: newId, label: track.label, attributes: track.attributes, score: track.score, keyframes: after };
  const out = replace(tracks, { ...track, keyframes: ending });
  out.splice(out.findIndex((t) => t.id === id) + 1, 0, second);
  return { tracks: out };
}

/**
 * `otherId`'s keyframes join `id`'s where `id` is absent (the other track goes): refused when
 * the two are present on a common frame, or are of different labels.
 */
export function mergeTracks(tracks: readonly Track[], id: string, otherId: string): Edit {
  const a = tracks.find((t) => t.id === id);
  const b = tracks.find((t) => t.id === otherId);
  if (!a || !b) return { error: `no track ${a ? otherId : id}` };
  if (a === b) return { error: "choose another track to merge with" };
  if (a.label !== b.label) return { error: `track ${id} is a ${a.label}, track ${otherId} a ${b.label}: give them one label first` };
  for (const [s0, e0] of presentRanges(a, null)) {
    for (const [s1, e1] of presentRanges(b, null)) {
      if (s0 <= e1 && s1 <= e0) {
        const [from, to] = [Math.max(s0, s1), Math.min(e0, e1)];
        return { error: `tracks ${id} and ${otherId} are both present on ${from === to ? `frame ${from}` : `frames ${from}–${to}`}: one object cannot be in two places; cut one (X) or mark it outside (O) first` };
      }
    }
  }
  let keyframes = a.keyframes.slice();
  for (const k of b.keyframes) {
    // One's end (outside) on the frame where the other starts: the start is kept.
    const there = keyframes.find((x) => x.frame === k.frame);
    if (!there || there.outside) keyframes = put(keyframes, k);
  }
  // Where `a` ended without leaving (held on) and `b` follows, it now runs on into `b`.
  const merged: Track = { ...a, keyframes: trimStart(keyframes) };
  return { tracks: tracks.filter((t) => t.id !== otherId).map((t) => (t.id === id ? merged : t)) };
}

export function removeTrack(tracks: readonly Track[], id: string): Track[] {
  return tracks.filter((t) => t.id !== id);
}

export function relabelTrack(tracks: readonly Track[], id: string, label: string): Track[] {
  return tracks.map((t) => (t.id === id ? { ...t, label } : t));
}

/** Apply a one-track edit by id: the tracks, or the edit's error. */
export function editTrack(tracks: readonly Track[], id: string, edit: (track: Track) => Track | { error: string }): Edit {
  const track = tracks.find((t) => t.id === id);
  if (!track) return { error: `no track ${id}` };
  const made = edit(track);
  return "error" in made ? made : { tracks: replace(tracks, made) };
}

/** The keyframe before (-1) or after (+1) `frame` of a track, if any. */
export function keyframeNear(track: Track, frame: number, direction: 1 | -1): number | null {
  if (direction > 0) return track.keyframes.find((k) => k.frame > frame)?.frame ?? null;
  for (let i = track.keyframes.length - 1; i >= 0; i--) {
    const k = track.keyframes[i] as Keyframe;
    if (k.frame < frame) return k.frame;
  }
  return null;
}
