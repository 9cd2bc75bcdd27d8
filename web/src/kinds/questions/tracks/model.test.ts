import { describe, expect, it } from "vitest";
import type { Json, JsonObject } from "../../../api/types";
import type { TracksSpec } from "../../../editor/interface";
import { applyFrameEdit, frameView } from "./frameView";
import cases from "./fixtures/interpolation.json";
import {
  deleteKeyframe,
  keyframeNear,
  mergeTracks,
  newTrack,
  presentRanges,
  propagate,
  setGeometry,
  setMutableAttribute,
  splitTrack,
  stateAt,
  toAnswer,
  toggleKeyframe,
  toggleOccluded,
  toggleOutside,
  tracksOf,
  type Track,
  type TrackGeom,
  type TrackShape,
  type TrackState,
} from "./model";

interface Case {
  name: string;
  shape: TrackShape;
  frames: number | null;
  track: JsonObject;
  expected: Array<[number, JsonObject | null]>;
}

/** A state as the server writes it (accord.quality.tracks.track_states). */
function asServer(state: TrackState | null): JsonObject | null {
  if (!state) return null;
  const g = state.geom;
  const geometry: JsonObject =
    g.type === "box"
      ? { x: g.x, y: g.y, w: g.w, h: g.h, rotation: g.rotation }
      : g.type === "point"
        ? { x: g.x, y: g.y }
        : { points: g.points.map((p) => [...p]) };
  return { ...geometry, occluded: state.occluded, attributes: { ...state.attributes }, keyframe: state.keyframe !== null };
}

const box = (x: number, y: number, w = 10, h = 10): TrackGeom => ({ type: "box", x, y, w, h, rotation: 0 });
const one = (shape: TrackShape, track: Json): Track => tracksOf(shape, { tracks: [track] })[0] as Track;
const ok = <T,>(made: T | { error: string }): T => {
  if (made && typeof made === "object" && "error" in made) throw new Error(made.error);
  return made as T;
};
const frames = (track: Track) => track.keyframes.map((k) => (k.outside ? `${k.frame}o` : String(k.frame)));

describe("tracks interpolation: the shared fixture (the server's own results)", () => {
  for (const c of cases as unknown as Case[]) {
    it(c.name, () => {
      const track = one(c.shape, c.track);
      // Exactly equal numbers: float64 operations in the order of the contract.
      for (const [frame, expected] of c.expected) expect([frame, asServer(stateAt(track, frame, c.frames))]).toEqual([frame, expected]);
    });
  }
});

describe("tracks answer", () => {
  it("round-trips keyframes, outside, occluded and attributes", () => {
    const value: JsonObject = {
      tracks: [
        {
          id: "t1",
          label: "car",
          attributes: { color: "red" },
          keyframes: [
            { frame: 0, x: 10, y: 20, w: 30, h: 40, attributes: { moving: "yes" } },
            { frame: 10, x: 30, y: 20, w: 30, h: 40, occluded: true },
            { frame: 25, outside: true },
            { frame: 40, x: 5, y: 5, w: 10, h: 10, rotation: 12.5 },
          ],
        },
      ],
    };
    expect(toAnswer(tracksOf("box", value))).toEqual(value);
    expect(toAnswer([])).toBeUndefined();
  });
});

describe("tracks edits", () => {
  const base = newTrack([], "car", 0, box(0, 0)).tracks;
  const t = base[0] as Track;

  it("moving at a frame makes a keyframe there that keeps what was in force", () => {
    const moved = setGeometry(t, 10, box(100, 0), 60);
    expect(frames(moved)).toEqual(["0", "10"]);
    expect(stateAt(moved, 5, 60)?.geom).toEqual(box(50, 0));
    const occluded = ok(toggleOccluded(moved, 4, 60));
    expect(stateAt(setGeometry(occluded, 7, box(1, 1), 60), 7, 60)?.occluded).toBe(true);
  });

  it("K adds a keyframe with the shape there, and on a keyframe removes it (never the last)", () => {
    const two = setGeometry(t, 10, box(100, 0), 60);
    const three = ok(toggleKeyframe(two, 5, 60));
    expect(frames(three)).toEqual(["0", "5", "10"]);
    expect(three.keyframes[1]?.geom).toEqual(box(50, 0));
    expect(frames(ok(toggleKeyframe(three, 5, 60)))).toEqual(["0", "10"]);
    expect(toggleKeyframe(t, 0, 60)).toHaveProperty("error");
    expect(deleteKeyframe(t, 3)).toHaveProperty("error");
  });

  it("O marks outside where present, and brings the track back where absent", () => {
    const two = setGeometry(t, 10, box(100, 0), 60);
    const out = ok(toggleOutside(two, 20, 60));
    expect(frames(out)).toEqual(["0", "10", "20o"]);
    expect(stateAt(out, 19, 60)?.geom).toEqual(box(100, 0));
    expect(stateAt(out, 30, 60)).toBeNull();
    const back = ok(toggleOutside(out, 30, 60));
    expect(frames(back)).toEqual(["0", "10", "20o", "30"]);
    expect(stateAt(back, 59, 60)?.geom).toEqual(box(100, 0));
    expect(toggleOutside(t, 0, 60)).toHaveProperty("error");
    // Outside again on the frame itself: visible there again.
    expect(frames(ok(toggleOutside(out, 20, 60)))).toEqual(["0", "10", "20"]);
  });

  it("sets a mutable attribute from a frame on", () => {
    const set = ok(setMutableAttribute(t, 5, "moving", "yes", 60));
    expect(stateAt(set, 4, 60)?.attributes).toEqual({});
    expect(stateAt(set, 30, 60)?.attributes).toEqual({ moving: "yes" });
    expect(setMutableAttribute(ok(toggleOutside(set, 10, 60)), 20, "moving", "no", 60)).toHaveProperty("error");
  });

  it("propagates the shape at a frame N frames on (within the video), replacing keyframes between", () => {
    const two = setGeometry(setGeometry(t, 10, box(100, 0), 60), 20, box(0, 100), 60);
    const p = ok(propagate(two, 5, 10, 59, 60));
    expect(frames(p)).toEqual(["0", "5", "15", "20"]);
    expect(stateAt(p, 12, 60)?.geom).toEqual(box(50, 0));
    expect(frames(ok(propagate(two, 55, 10, 59, 60)))).toEqual(["0", "10", "20", "55", "59"]);
    expect(propagate(two, 59, 3, 59, 60)).toHaveProperty("error");
  });

  it("splits a track in two at a frame and merges them back", () => {
    const two = [setGeometry(t, 10, box(100, 0), 60)];
    const split = splitTrack(two, "t1", 5, 60);
    if ("error" in split) throw new Error(split.error);
    const [a, b] = split.tracks as [Track, Track];
    expect([a.id, frames(a), b.id, frames(b)]).toEqual(["t1", ["0", "5o"], "t2", ["5", "10"]]);
    expect(stateAt(b, 5, 60)?.geom).toEqual(box(50, 0));
    expect(splitTrack(two, "t1", 0, 60)).toHaveProperty("error");
    const merged = mergeTracks(split.tracks, "t2", "t1");
    if ("error" in merged) throw new Error(merged.error);
    expect(merged.tracks.map((x) => [x.id, frames(x)])).toEqual([["t2", ["0", "5", "10"]]]);
    // Both present on frame 3: refused, naming the frames.
    const other = newTrack(two, "car", 3, box(5, 5), "t9").tracks;
    expect(mergeTracks(other, "t1", "t9")).toEqual({ error: expect.stringContaining("both present on frame 3:") });
    const longer = [...two, setGeometry(newTrack([], "car", 3, box(5, 5), "t9").made, 30, box(1, 1), 60)];
    expect(mergeTracks(longer, "t1", "t9")).toEqual({ error: expect.stringContaining("frames 3–10") });
    expect(mergeTracks(newTrack(two, "bus", 30, box(5, 5), "t9").tracks, "t1", "t9")).toHaveProperty("error");
  });

  it("knows the present ranges and the neighbouring keyframes", () => {
    const out = ok(toggleOutside(setGeometry(t, 10, box(100, 0), 60), 20, 60));
    const back = ok(toggleOutside(out, 30, 60));
    expect(presentRanges(back, 59)).toEqual([
      [0, 19],
      [30, 59],
    ]);
    expect(presentRanges(back, null)).toEqual([
      [0, 19],
      [30, 30],
    ]);
    expect([keyframeNear(back, 10, 1), keyframeNear(back, 10, -1), keyframeNear(back, 0, -1), keyframeNear(back, 30, 1)]).toEqual([20, 0, null, null]);
  });

  it("finds 200 tracks' shapes at a frame quickly enough to repaint on every step", () => {
    let tracks: Track[] = [];
    for (let i = 0; i < 200; i++) {
      const made = newTrack(tracks, "car", 0, box(i, i));
      tracks = made.tracks.map((x) => (x.id === made.made.id ? setGeometry(setGeometry(x, 500, box(i + 50, i), 1000), 999, box(i, i + 50), 1000) : x));
    }
    let present = 0;
    for (let f = 0; f < 1000; f++) for (const track of tracks) if (stateAt(track, f, 1000)) present++;
    expect(present).toBe(200_000);
  });
});

describe("the frame in the image editor", () => {
  const question: TracksSpec = {
    kind: "tracks",
    name: "cars",
    label: "",
    required: false,
    description: "",
    target: "clip",
    shape: "box",
    rotation: false,
    labels: [
      { value: "car", label: "", hint: "" },
      { value: "bus", label: "", hint: "" },
    ],
    skeleton: { points: [], edges: [] },
    attributes: [],
    maxTracks: 3,
    maxKeyframes: 100,
    maxPoints: 100,
  };
  const two = [setGeometry(newTrack([], "car", 0, box(0, 0)).made, 10, box(100, 0), 60)];

  it("shows the tracks present at a frame as objects, the same objects while nothing changes", () => {
    const view = frameView(two, 5, 60);
    expect(view.value).toEqual({ objects: [{ id: "t1", label: "car", x: 50, y: 0, w: 10, h: 10 }] });
    expect(frameView(two, 5, 60).value.objects).toEqual(view.value.objects);
    expect((frameView(two, 5, 60).value.objects as JsonObject[])[0]).toBe((view.value.objects as JsonObject[])[0]);
    expect(frameView(two, 70, 60).value).toEqual({ objects: [] });
  });

  it("turns the editor's commits into track edits at that frame", () => {
    const view = frameView(two, 5, 60);
    const [object] = view.value.objects as JsonObject[];
    const moved = applyFrameEdit(question, view, { objects: [{ ...object, x: 70, label: "bus" }] }, 60);
    if ("error" in moved) throw new Error(moved.error);
    expect(moved.tracks.map((t) => [t.label, frames(t)])).toEqual([["bus", ["0", "5", "10"]]]);
    const added = applyFrameEdit(question, view, { objects: [object as JsonObject, { id: "t1", label: "car", x: 1, y: 1, w: 5, h: 5 }] }, 60);
    if ("error" in added) throw new Error(added.error);
    // The editor's id was taken (by a track absent here or not): the new track gets a free one.
    expect([added.made, added.tracks.length, frames(added.tracks[1] as Track)]).toEqual(["t2", 2, ["5"]]);
    expect(applyFrameEdit(question, view, undefined, 60)).toEqual({ tracks: [], made: null });
    const full = frameView(newTrack(newTrack(two, "car", 0, box(1, 1)).tracks, "car", 0, box(2, 2)).tracks, 5, 60);
    expect(applyFrameEdit(question, full, { objects: [...(full.value.objects as JsonObject[]), { id: "x", label: "car", x: 1, y: 1, w: 5, h: 5 }] }, 60)).toHaveProperty("error");
  });
});
