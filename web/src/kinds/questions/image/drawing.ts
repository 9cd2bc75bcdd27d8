/**
 * Making new shapes, by mouse or by key (N puts a point at the cursor): a box from two
 * corners, polygons and polylines point by point, points, keypoints in skeleton order, and
 * masks painted with a brush or filled from a polygon. Each finished shape is one answer change.
 */
import type { ImageEditor } from "./editor";
import { boxFromCorners, clampPoint, withGeometry, updateObject, type Geometry, type Keypoint, type Pt } from "./model";
import { decodeMask, encodeMask, fillPolygon, paintStroke, areaOf } from "./rle";

function status(ed: ImageEditor, text: string | null): void {
  ed.setUi({ drawing: text });
  ed.requestPaint(false);
}

function pathStatus(ed: ImageEditor, count: number): string {
  const closing = ed.kind === "polygons" ? "Enter or a double-click closes it" : ed.kind === "masks" ? "Enter fills it" : "Enter or a double-click ends it";
  return `${count} point${count === 1 ? "" : "s"}: click or N adds one, Backspace removes the last, ${closing}, Esc cancels`;
}

/** A point put down (click on empty image, or N at the cursor). `occluded`: keypoint v=1. */
export function placeAt(ed: ImageEditor, at: Pt, occluded = false): void {
  if (!ed.width) {
    ed.say("the image has not loaded yet");
    return;
  }
  const p = clampPoint(at, ed.width, ed.height);
  const d = ed.draft;
  switch (ed.kind) {
    case "boxes":
      if (d?.type === "box") {
        const geom = boxFromCorners(d.start, p, ed.width, ed.height);
        if (!geom) {
          ed.say("the box would be empty: put the second corner elsewhere");
          return;
        }
        ed.draft = null;
        status(ed, null);
        ed.add(geom, "drew");
        return;
      }
      ed.select(null);
      ed.draft = { type: "box", start: p };
      status(ed, "box: click or N at the opposite corner, Esc cancels");
      return;
    case "points":
      ed.add({ type: "point", x: p[0], y: p[1] }, "placed");
      return;
    case "keypoints":
      placeKeypoint(ed, p, occluded);
      return;
    case "masks":
      if (ed.ui.tool !== "polygon") {
        paintDot(ed, p);
        return;
      }
      addPathPoint(ed, p);
      return;
    case "polygons":
    case "polylines":
      addPathPoint(ed, p);
  }
}

function addPathPoint(ed: ImageEditor, p: Pt): void {
  const d = ed.draft;
  if (d?.type !== "path") {
    ed.select(null);
    ed.draft = { type: "path", points: [p] };
    status(ed, pathStatus(ed, 1));
    return;
  }
  const first = d.points[0] as Pt;
  const near = ed.view ? 6 / ed.view.scale : 3;
  if (ed.kind === "polygons" && d.points.length >= 3 && Math.hypot(p[0] - first[0], p[1] - first[1]) <= near) {
    finishDraft(ed);
    return;
  }
  const max = ed.question.kind === "polygons" || ed.question.kind === "polylines" ? ed.question.maxPoints : 100_000;
  if (d.points.length >= max) {
    ed.say(`a shape may have at most ${max} points`);
    return;
  }
  d.points = [...d.points, p];
  status(ed, pathStatus(ed, d.points.length));
}

function placeKeypoint(ed: ImageEditor, p: Pt, occluded: boolean): void {
  if (ed.question.kind !== "keypoints") return;
  const names = ed.question.skeleton.points;
  const v = occluded ? 1 : 2;
  const selected = ed.selected();
  if (!ed.draft && selected?.geom.type === "keypoints") {
    const missing = selected.geom.points.findIndex((q) => q[2] === 0);
    if (missing >= 0) {
      const points = selected.geom.points.slice();
      points[missing] = [p[0], p[1], v];
      ed.setGeometry({ type: "keypoints", points });
      ed.say(`placed ${names[missing] ?? missing}`);
      return;
    }
    ed.select(null);
  }
  let d = ed.draft;
  if (d?.type !== "keypoints") {
    d = { type: "keypoints", points: names.map((): Keypoint => [0, 0, 0]), next: 0, id: null };
    ed.draft = d;
  }
  d.points[d.next] = [p[0], p[1], v];
  d.next += 1;
  if (d.next >= names.length) {
    finishDraft(ed);
    return;
  }
  status(ed, `next: ${names[d.next]} — click or N places it (Shift: not visible), X skips it, Enter ends, Esc cancels`);
}

/** X: leave the next keypoint out (not labelled) and go on to the one after. */
export function skipKeypoint(ed: ImageEditor): void {
  const d = ed.draft;
  if (d?.type !== "keypoints" || ed.question.kind !== "keypoints") return;
  const names = ed.question.skeleton.points;
  d.next += 1;
  if (d.next >= names.length) finishDraft(ed);
  else status(ed, `next: ${names[d.next]} — click or N places it, X skips it, Enter ends`);
}

/** Enter / double-click: the shape being drawn becomes an object. */
export function finishDraft(ed: ImageEditor): void {
  const d = ed.draft;
  if (!d) return;
  if (d.type === "box") return;
  if (d.type === "keypoints") {
    ed.draft = null;
    status(ed, null);
    if (d.points.some((q) => q[2] > 0)) ed.add({ type: "keypoints", points: d.points }, "placed");
    return;
  }
  const points = dedupe(d.points);
  const need = ed.kind === "polylines" ? 2 : 3;
  if (points.length < need) {
    ed.say(`a ${ed.kind === "polylines" ? "polyline" : "polygon"} needs at least ${need} points; it has ${points.length}`);
    return;
  }
  ed.draft = null;
  status(ed, null);
  if (ed.kind === "masks") {
    fillMask(ed, points);
    return;
  }
  const geom: Geometry = ed.kind === "polylines" ? { type: "polyline", points } : { type: "polygon", points };
  ed.add(geom, "drew");
}

function dedupe(points: readonly Pt[]): Pt[] {
  const out: Pt[] = [];
  for (const p of points) {
    const last = out[out.length - 1];
    if (!last || Math.hypot(p[0] - last[0], p[1] - last[1]) > 0.5) out.push(p);
  }
  return out;
}

export function cancelDraft(ed: ImageEditor): boolean {
  if (!ed.draft) return false;
  ed.draft = null;
  status(ed, null);
  ed.say("drawing cancelled");
  return true;
}

/** Backspace while drawing: take the last point back. */
export function undoDraftPoint(ed: ImageEditor): boolean {
  const d = ed.draft;
  if (!d) return false;
  if (d.type === "path" && d.points.length > 1) {
    d.points = d.points.slice(0, -1);
    status(ed, pathStatus(ed, d.points.length));
    return true;
  }
  if (d.type === "keypoints" && d.next > 1) {
    d.next -= 1;
    d.points[d.next] = [0, 0, 0];
    status(ed, `next: ${ed.question.kind === "keypoints" ? ed.question.skeleton.points[d.next] : d.next}`);
    return true;
  }
  return cancelDraft(ed);
}

// --- masks --------------------------------------------------------------------------------

interface Painting {
  mask: Uint8Array;
  id: string | null;
  last: Pt;
  erase: boolean;
}
let painting: Painting | null = null;

function targetMask(ed: ImageEditor): { mask: Uint8Array; id: string | null } | null {
  const shape = ed.selected();
  if (shape?.geom.type === "mask") {
    if (shape.locked) {
      ed.say(`#${shape.id} is locked: press L to unlock it`);
      return null;
    }
    const { rle } = shape.geom;
    const ok = rle.size[0] === ed.height && rle.size[1] === ed.width;
    return { mask: ok && rle.counts ? decodeMask(rle) : new Uint8Array(ed.width * ed.height), id: shape.id };
  }
  return { mask: new Uint8Array(ed.width * ed.height), id: null };
}

function previewCanvas(ed: ImageEditor, mask: Uint8Array, colour: string): HTMLCanvasElement {
  const canvas = document.createElement("canvas");
  canvas.width = ed.width;
  canvas.height = ed.height;
  const ctx = canvas.getContext("2d");
  if (ctx) {
    const data = ctx.createImageData(ed.width, ed.height);
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16)) as [number, number, number];
    for (let i = 0; i < mask.length; i++) {
      if (!mask[i]) continue;
      data.data.set([r, g, b, 110], 4 * i);
    }
    ctx.putImageData(data, 0, 0);
  }
  return canvas;
}

/** Press with the brush or eraser: start a stroke on the selected mask (or a new one). */
export function beginPaint(ed: ImageEditor, p: Pt, colour: string): void {
  const erase = ed.ui.tool === "eraser";
  const target = targetMask(ed);
  if (!target) return;
  if (erase && target.id === null) {
    ed.say("select a mask to erase from (Tab, or Ctrl+click it)");
    return;
  }
  painting = { ...target, last: p, erase };
  ed.paintCanvas = previewCanvas(ed, target.mask, colour);
  paintTo(ed, p, colour);
}

export function paintTo(ed: ImageEditor, p: Pt, colour: string): void {
  if (!painting || !ed.paintCanvas) return;
  const r = ed.ui.brush;
  paintStroke(painting.mask, ed.height, ed.width, painting.last, p, r, painting.erase ? 0 : 1);
  const ctx = ed.paintCanvas.getContext("2d");
  if (ctx) {
    ctx.globalCompositeOperation = painting.erase ? "destination-out" : "source-over";
    ctx.strokeStyle = `${colour}6e`;
    ctx.fillStyle = `${colour}6e`;
    ctx.lineCap = "round";
    ctx.lineWidth = 2 * r;
    ctx.beginPath();
    ctx.moveTo(painting.last[0], painting.last[1]);
    ctx.lineTo(p[0], p[1]);
    ctx.stroke();
  }
  painting.last = p;
  if (!ed.preview && painting.id === null) {
    ed.preview = ed.shapeFrom({ id: "(new)", label: ed.question.labels[ed.ui.label]?.value ?? "", rle: { size: [ed.height, ed.width], counts: "" } });
  }
  ed.requestPaint(false);
}

export function endPaint(ed: ImageEditor): void {
  const done = painting;
  painting = null;
  ed.paintCanvas = null;
  ed.preview = null;
  if (!done) return;
  storeMask(ed, done.mask, done.id, done.erase ? "erased" : "painted");
}

export const isPainting = (): boolean => painting !== null;

function storeMask(ed: ImageEditor, mask: Uint8Array, id: string | null, verb: string): void {
  const empty = areaOf(mask) === 0;
  if (id === null) {
    if (!empty) ed.add({ type: "mask", rle: encodeMask(mask, ed.height, ed.width) }, verb);
    else ed.requestPaint(true);
    return;
  }
  if (empty) {
    ed.commit(ed.objects.filter((o) => o.id !== id), `#${id} erased completely: removed`);
    return;
  }
  const rle = encodeMask(mask, ed.height, ed.width);
  ed.commit(updateObject(ed.objects, id, (raw) => withGeometry(raw, { type: "mask", rle })), `${verb} #${id}`);
}

/** N with the brush: one dab at the cursor. */
function paintDot(ed: ImageEditor, p: Pt): void {
  const target = targetMask(ed);
  if (!target) return;
  const erase = ed.ui.tool === "eraser";
  if (erase && target.id === null) {
    ed.say("select a mask to erase from first");
    return;
  }
  paintStroke(target.mask, ed.height, ed.width, p, p, ed.ui.brush, erase ? 0 : 1);
  storeMask(ed, target.mask, target.id, erase ? "erased" : "painted");
}

function fillMask(ed: ImageEditor, points: Pt[]): void {
  const target = targetMask(ed);
  if (!target) return;
  fillPolygon(target.mask, ed.height, ed.width, points, 1);
  storeMask(ed, target.mask, target.id, "filled");
}
