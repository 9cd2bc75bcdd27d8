/**
 * The image editor's keys (docs/images.md, "Annotating images: tools and keys"). `handleKey`
 * returns true when it used the key (the caller then stops it: the screen's own keys, Tab to
 * the next question among them, never see it). Number keys are label hotkeys, so zoom keys
 * are +, -, F (fit) and Z (1:1).
 */
import type { JsonObject } from "../../../api/types";
import { digitOf } from "../../types";
import { assistKey } from "./assist";
import { smartKey } from "./smart";
import { cancelDraft, finishDraft, placeAt, skipKeypoint, undoDraftPoint } from "./drawing";
import type { ImageEditor } from "./editor";
import { insideImage, newObject, rotateBox, translate, withGeometry, type Geometry, type Shape } from "./model";
import { actualSize, panBy, toScreen, zoomAt } from "./view";

export interface KeyLike {
  key: string;
  code: string;
  shiftKey: boolean;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
}

const CLIPBOARD = "accord.image.clipboard";

const ARROWS: Record<string, [number, number]> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
};

export function handleKey(ed: ImageEditor, e: KeyLike): boolean {
  if (ed.readOnly) return lookKey(ed, e);
  const mod = e.ctrlKey || e.metaKey;
  if (assistKey(ed, e)) return true;
  if (smartKey(ed, e)) return true;
  if (mod) return modKey(ed, e);
  const arrow = ARROWS[e.key];
  if (arrow) return arrowKey(ed, arrow, e);
  if (editKey(ed, e)) return true;
  if (viewKey(ed, e)) return true;
  const digit = e.altKey ? null : digitOf(e);
  if (digit !== null && ed.question.labels[digit - 1]) {
    ed.relabel(digit - 1);
    return true;
  }
  return flagKey(ed, e);
}

/**
 * The keys of a read-only editor (an answer shown, not edited): zoom and fit, arrows (and
 * Ctrl+arrows) pan, Tab / Shift+Tab select, `,` / `.` pick a point, Esc deselects, Ctrl+C
 * copies. Everything else is left to the screen (e.g. adjudication's number keys).
 */
function lookKey(ed: ImageEditor, e: KeyLike): boolean {
  const arrow = ARROWS[e.key];
  if (arrow && !e.altKey) {
    const step = e.shiftKey ? 300 : 100;
    if (ed.view) ed.setView(panBy(ed.view, -arrow[0] * step, -arrow[1] * step));
    return true;
  }
  if (e.ctrlKey || e.metaKey) return e.key.toLowerCase() === "c" && !e.shiftKey && copy(ed);
  if (e.key === "Tab") {
    ed.selectNext(e.shiftKey ? -1 : 1);
    return ed.shapes.length > 0;
  }
  if (e.key === "Escape") {
    if (ed.ui.vertex >= 0) ed.select(ed.ui.selectedId);
    else if (ed.ui.selectedId !== null) ed.select(null);
    else return false;
    return true;
  }
  if (e.key === "." || e.key === ",") return pickVertex(ed, e.key === "." ? 1 : -1);
  return !e.altKey && viewKey(ed, e);
}

function modKey(ed: ImageEditor, e: KeyLike): boolean {
  const key = e.key.toLowerCase();
  if (e.key.startsWith("Arrow")) {
    const [dx, dy] = ARROWS[e.key] ?? [0, 0];
    if (ed.view) ed.setView(panBy(ed.view, -dx * 100, -dy * 100));
    return true;
  }
  if (key === "c" && !e.shiftKey) return copy(ed);
  if (key === "v" && !e.shiftKey) return paste(ed);
  return false;
}

function arrowKey(ed: ImageEditor, [dx, dy]: [number, number], e: KeyLike): boolean {
  const shape = ed.selected();
  const step = e.shiftKey ? 10 : 1;
  if (shape && !ed.draft) {
    if (e.altKey && shape.geom.type === "box") {
      const g = shape.geom;
      const w = Math.max(1, Math.min(ed.width - g.x, g.w + dx * step));
      const h = Math.max(1, Math.min(ed.height - g.y, g.h + dy * step));
      ed.change((raw) => withGeometry(raw, { ...g, w, h }), `#${shape.id} ${w.toFixed(2)}×${h.toFixed(2)} px`);
    } else ed.nudge(dx * step, dy * step);
    return true;
  }
  // No selection: the crosshair moves (screen pixels: 5, Shift 50, Alt 1); the view follows it.
  const view = ed.view;
  if (!view) return false;
  const pixels = e.altKey ? 1 : e.shiftKey ? 50 : 5;
  const [x, y] = ed.cursorPoint();
  const next: [number, number] = [
    Math.min(ed.width, Math.max(0, x + (dx * pixels) / view.scale)),
    Math.min(ed.height, Math.max(0, y + (dy * pixels) / view.scale)),
  ];
  ed.setCursor(next);
  follow(ed, next);
  return true;
}

/** Pan when the crosshair leaves the view. */
function follow(ed: ImageEditor, p: [number, number]): void {
  const view = ed.view;
  const r = ed.renderer;
  if (!view || !r) return;
  const [sx, sy] = toScreen(view, p);
  const margin = 30;
  const dx = sx < margin ? margin - sx : sx > r.width - margin ? r.width - margin - sx : 0;
  const dy = sy < margin ? margin - sy : sy > r.height - margin ? r.height - margin - sy : 0;
  if (dx || dy) ed.setView(panBy(view, dx, dy));
}

function editKey(ed: ImageEditor, e: KeyLike): boolean {
  const key = e.key;
  if (key === "n" || key === "N") {
    placeAt(ed, ed.cursorPoint(), e.shiftKey);
    return true;
  }
  if (key === "Enter" && !e.altKey) {
    if (!ed.draft) return false;
    finishDraft(ed);
    return true;
  }
  if (key === "Escape") {
    if (cancelDraft(ed)) return true;
    if (ed.ui.vertex >= 0) ed.select(ed.ui.selectedId);
    else if (ed.ui.selectedId !== null) ed.select(null);
    else return false;
    return true;
  }
  if (key === "Backspace" || key === "Delete") {
    if (key === "Backspace" && undoDraftPoint(ed)) return true;
    if (!ed.selected()) return false;
    ed.removeSelected();
    return true;
  }
  if (key === "Tab") {
    ed.selectNext(e.shiftKey ? -1 : 1);
    return ed.shapes.length > 0;
  }
  if ((key === "x" || key === "X") && ed.draft?.type === "keypoints") {
    skipKeypoint(ed);
    return true;
  }
  if (key === "." || key === ",") return pickVertex(ed, key === "." ? 1 : -1);
  return toolKey(ed, e);
}

/** . and , pick the next / previous point of the selected shape (arrows then move it alone). */
function pickVertex(ed: ImageEditor, direction: 1 | -1): boolean {
  const shape = ed.selected();
  if (!shape) return false;
  const g = shape.geom;
  const n = g.type === "polygon" || g.type === "polyline" || g.type === "keypoints" ? g.points.length : 0;
  if (n === 0) return false;
  const at = ed.ui.vertex;
  const next = at < 0 ? (direction > 0 ? 0 : n - 1) : (at + direction + n) % n;
  ed.select(shape.id, next);
  const name = ed.question.kind === "keypoints" ? ed.question.skeleton.points[next] : `point ${next + 1}`;
  ed.say(`${name ?? next} of #${shape.id}`);
  return true;
}

function toolKey(ed: ImageEditor, e: KeyLike): boolean {
  const key = e.key.toLowerCase();
  if (ed.kind === "masks") {
    const tools: Record<string, "brush" | "eraser" | "polygon"> = { b: "brush", e: "eraser", p: "polygon" };
    const tool = tools[key];
    if (tool && !e.shiftKey) {
      cancelDraft(ed);
      ed.setUi({ tool });
      ed.say(`${tool === "polygon" ? "polygon fill" : tool} tool`);
      return true;
    }
    if (e.key === "[" || e.key === "]") {
      const brush = Math.max(1, Math.min(200, Math.round(ed.ui.brush * (e.key === "]" ? 1.25 : 0.8))));
      ed.setUi({ brush });
      ed.requestPaint(false);
      ed.say(`brush ${brush} px`);
      return true;
    }
  }
  if (key === "r" && ed.question.kind === "boxes" && ed.question.rotation) {
    const shape = ed.selected();
    if (!shape) return false;
    const step = (e.shiftKey ? -1 : 1) * (e.altKey ? 15 : 1);
    const turned = rotateBox(shape.geom, step);
    if (insideImage(turned, ed.width, ed.height)) ed.setGeometry(turned);
    else ed.say("turning further would put a corner outside the image: move the box in first");
    return true;
  }
  return false;
}

function viewKey(ed: ImageEditor, e: KeyLike): boolean {
  const view = ed.view;
  const r = ed.renderer;
  if (!view || !r) return false;
  const [sx, sy] = ed.cursor ? toScreen(view, ed.cursor) : [r.width / 2, r.height / 2];
  if (e.key === "+" || e.key === "=") ed.setView(zoomAt(view, 1.25, sx, sy));
  else if (e.key === "-" || e.key === "_") ed.setView(zoomAt(view, 0.8, sx, sy));
  else if (e.key === "f" || e.key === "F") ed.fit();
  else if (e.key === "z" || e.key === "Z") ed.setView(actualSize(view, sx, sy));
  else return false;
  return true;
}

function flagKey(ed: ImageEditor, e: KeyLike): boolean {
  const shape = ed.selected();
  if (e.key === "PageUp" || e.key === "PageDown") {
    if (!shape) return false;
    ed.raise(e.key === "PageUp" ? 1 : -1);
    return true;
  }
  // U ("unite"): G is the screen's key for the guidelines.
  if ((e.key === "u" || e.key === "U") && shape && !e.altKey) {
    ed.group(e.shiftKey);
    return true;
  }
  const flags: Record<string, "hidden" | "locked" | "occluded" | "truncated"> = { h: "hidden", l: "locked", o: "occluded", t: "truncated" };
  const flag = flags[e.key.toLowerCase()];
  if (flag && shape && !e.shiftKey && !e.altKey) {
    ed.toggle(flag);
    return true;
  }
  if ((e.key === "v" || e.key === "V") && shape?.geom.type === "keypoints" && ed.ui.vertex >= 0) {
    toggleVisible(ed, shape);
    return true;
  }
  return false;
}

/** V on a keypoint: visible (2) ⇄ labelled but not visible (1). */
function toggleVisible(ed: ImageEditor, shape: Shape): void {
  if (shape.geom.type !== "keypoints") return;
  const points = shape.geom.points.slice();
  const p = points[ed.ui.vertex];
  if (!p || p[2] === 0) return;
  points[ed.ui.vertex] = [p[0], p[1], p[2] === 2 ? 1 : 2];
  const name = ed.question.kind === "keypoints" ? ed.question.skeleton.points[ed.ui.vertex] : "";
  ed.change((raw) => withGeometry(raw, { type: "keypoints", points }), `${name} ${p[2] === 2 ? "not visible" : "visible"}`);
}

function copy(ed: ImageEditor): boolean {
  const shape = ed.selected();
  if (!shape) return false;
  window.localStorage.setItem(CLIPBOARD, JSON.stringify({ kind: ed.kind, object: shape.raw }));
  ed.say(`copied ${ed.describe(shape)}`);
  return true;
}

/** Ctrl+V: the copied object (from this image or another task's) as a new object, inside the image. */
function paste(ed: ImageEditor): boolean {
  const text = window.localStorage.getItem(CLIPBOARD);
  if (!text) return false;
  const saved = JSON.parse(text) as { kind?: string; object?: unknown };
  if (saved.kind !== ed.kind || !saved.object || typeof saved.object !== "object") {
    ed.say(`the copied object is not one of this question's ${ed.kind}`);
    return true;
  }
  const copied = ed.shapeFrom(saved.object as never);
  const g = copied.geom;
  if (g.type === "mask" && (g.rle.size[0] !== ed.height || g.rle.size[1] !== ed.width)) {
    ed.say("the copied mask is of an image of another size");
    return true;
  }
  const [x0, y0, x1, y1] = copied.bbox;
  const dx = x1 > ed.width ? ed.width - x1 : x0 < 0 ? -x0 : 0;
  const dy = y1 > ed.height ? ed.height - y1 : y0 < 0 ? -y0 : 0;
  const geom: Geometry = translate(g, dx, dy);
  const fresh: JsonObject = { ...copied.raw, ...newObject(ed.objects, copied.label, geom) };
  // A copy is a person's, not the model's; and no zero rotation where rotation is not asked.
  delete fresh.score;
  if (geom.type === "box" && !geom.rotation) delete fresh.rotation;
  ed.commit([...ed.objects, fresh], `pasted #${fresh.id as string}`);
  ed.setUi({ selectedId: fresh.id as string, vertex: -1 });
  return true;
}
