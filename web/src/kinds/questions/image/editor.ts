/**
 * The image editor of one shape question: what is selected, the label for new shapes, the
 * view, the shape being drawn, and the edits, each committed as one answer change (one undo
 * step of the editor's history). Shared by the canvas (in the data column) and the question
 * card; both read its `ui` snapshot. Drawing is the renderer's, pointer and key handling live
 * in pointer.ts and keys.ts. No React here.
 */
import type { Json, JsonObject } from "../../../api/types";
import type { PushOptions } from "../../../editor/history";
import type { ShapeSpec } from "../../../editor/interface";
import { optionText } from "../../../editor/interface";
import { SpatialGrid, topmostAt } from "./hit";
import {
  belowThreshold,
  moveInside,
  newObject,
  objectsOf,
  removeObject,
  setKey,
  shapeOf,
  shapesOf,
  shiftZ,
  toAnswer,
  updateObject,
  withGeometry,
  type Bbox,
  type Geometry,
  type Keypoint,
  type Pt,
  type Shape,
  type ShapeKind,
} from "./model";
import { checksCrossings, shapeCrosses } from "./crossing";
import { drawOrder, Renderer, type Overlay, type Scene } from "./renderer";
import { fitView, toImage, type View } from "./view";

/** A zoom is settled when the scale has not changed for this long (ms). */
const SETTLE_MS = 120;

export type MaskTool = "brush" | "eraser" | "polygon";

/** What the question card and the canvas show (a new object on every change). */
export interface EditorUi {
  selectedId: string | null;
  /** The selected point of the selected object (polygon vertex, keypoint), or -1. */
  vertex: number;
  /** Index of the label new shapes get. */
  label: number;
  tool: MaskTool;
  /** Brush radius, image pixels. */
  brush: number;
  /** Predictions scored below this are hidden. */
  threshold: number;
  scale: number;
  /** What is being drawn and what to do next, or null. */
  drawing: string | null;
  message: string;
  count: number;
  imageSize: [number, number] | null;
  /** The group U puts objects in (null: none started yet). */
  group: number | null;
}

export type Draft =
  | { type: "box"; start: Pt }
  | { type: "path"; points: Pt[] }
  | { type: "keypoints"; points: Keypoint[]; next: number; id: string | null };

export interface Binding {
  question: ShapeSpec;
  value: Json | undefined;
  onChange: (value: Json | undefined, options?: PushOptions) => void;
  activate: () => void;
}

export interface Layer {
  shapes: readonly Shape[];
  labelIndex: (label: string) => number;
}

const initialUi: EditorUi = {
  selectedId: null,
  vertex: -1,
  label: 0,
  tool: "brush",
  brush: 8,
  threshold: 0,
  scale: 1,
  drawing: null,
  message: "",
  count: 0,
  imageSize: null,
  group: null,
};

export class ImageEditor {
  question: ShapeSpec;
  kind: ShapeKind;
  value: Json | undefined = undefined;
  private onChange: Binding["onChange"] = () => {};
  activate: () => void = () => {};
  objects: JsonObject[] = [];
  shapes: Shape[] = [];
  order: number[] = [];
  grid: SpatialGrid | null = null;
  width = 0;
  height = 0;
  image: CanvasImageSource | null = null;
  view: View | null = null;
  renderer: Renderer | null = null;
  draft: Draft | null = null;
  /** The selected object while a drag changes it (drawn on the overlay, committed on release). */
  preview: Shape | null = null;
  paintCanvas: HTMLCanvasElement | null = null;
  /** The pointer (or the keyboard crosshair), image pixels; null before it is anywhere. */
  cursor: Pt | null = null;
  /** A view to start from instead of fitting (the one the image had for another question). */
  initialView: View | null = null;
  /** Told of every view change (kept for the image's other questions). */
  onView: (view: View) => void = () => {};
  /** Told of every cursor move (the canvas shows the coordinates without a React render). */
  onCursor: (p: Pt | null) => void = () => {};
  others: Layer[] = [];
  ui: EditorUi = initialUi;
  announce: (message: string) => void = () => {};
  /** Milliseconds the last repaint took (read by the benchmark). */
  lastPaintMs = 0;
  /** Repaints so far (the benchmark waits for the next one). */
  paints = 0;
  /** The image changes at almost every paint (a video's frames): see `Scene.live`. */
  liveImage = false;
  /** Space is held: a drag pans. */
  spaceHeld = false;
  /** The answer is shown, not edited (docs/images.md, "Seeing image answers"): the pointer
   * and keys only pan, zoom and select, and no edit reaches `onChange`. */
  readOnly = false;
  /** The id a new object gets (default: one more than the largest numeric id among the objects). */
  newId: ((objects: readonly JsonObject[]) => string) | null = null;
  /** Drawn over the overlay (the assist's box and clicks, assist.ts). */
  overlayExtra: ((ctx: CanvasRenderingContext2D, px: number) => void) | null = null;
  /** The last answer this editor made. */
  private committed: Json | undefined = undefined;
  private listeners = new Set<() => void>();
  private frame = 0;
  private version = 0;
  /** Image rectangles of the base layer to redraw at the next frame. */
  private dirty: Bbox[] = [];
  private zoomedAt = 0;
  private settle: ReturnType<typeof setTimeout> | undefined = undefined;
  private dirtyBase = true;

  constructor(question: ShapeSpec) {
    this.question = question;
    this.kind = question.kind;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  getUi = (): EditorUi => this.ui;

  setUi(patch: Partial<EditorUi>): void {
    this.ui = { ...this.ui, ...patch };
    for (const listener of this.listeners) listener();
  }

  say(message: string): void {
    this.setUi({ message });
    if (message) this.announce(message);
  }

  labelIndex = (label: string): number => this.question.labels.findIndex((o) => o.value === label);

  /** Take the current answer and callbacks (called on every render of either view). */
  sync(binding: Binding): void {
    this.question = binding.question;
    this.kind = binding.question.kind;
    this.onChange = binding.onChange;
    this.activate = binding.activate;
    if (binding.value === this.value && this.shapes.length === this.objects.length) return;
    // A change made elsewhere (undo, redo, the suggestion): what was said of ours is stale.
    if (binding.value !== this.committed && this.ui.message) this.setUi({ message: "" });
    this.value = binding.value;
    this.reindex();
  }

  private reindex(): void {
    const before = this.objects;
    this.objects = objectsOf(this.value);
    // An edit of the selected object alone leaves the base layer (everything else) as it was.
    const selectedOnly = this.ui.selectedId !== null && sameExcept(before, this.objects, this.ui.selectedId);
    this.shapes = shapesOf(this.kind, this.value);
    this.order = drawOrder(this.shapes, this.labelIndex);
    this.grid = this.width > 0 ? new SpatialGrid(this.width, this.height, this.shapes.map((s) => s.bbox)) : null;
    const selected = this.ui.selectedId;
    const still = selected !== null && this.shapes.some((s) => s.id === selected);
    this.preview = null;
    this.setUi({ count: this.shapes.length, ...(still ? {} : { selectedId: null, vertex: -1 }) });
    this.requestPaint(!selectedOnly || !this.grid);
  }

  /** The image to draw (a thumbnail first, then the full image: the view is kept). */
  setImage(image: CanvasImageSource, width: number, height: number): void {
    const resized = width !== this.width || height !== this.height;
    this.image = image;
    this.width = width;
    this.height = height;
    if (!resized) {
      this.requestPaint(true);
      return;
    }
    this.setUi({ imageSize: [width, height] });
    this.reindex();
    this.fitOrKeep();
  }

  /** The view another question left on this image, else the whole image. */
  private fitOrKeep(): void {
    if (this.initialView && this.renderer) {
      this.setView(this.initialView);
      this.initialView = null;
    } else this.fit();
  }

  attach(renderer: Renderer | null): void {
    this.renderer = renderer;
    if (renderer && this.width && (!this.view || this.initialView)) this.fitOrKeep();
    this.requestPaint(true);
  }

  fit(): void {
    const r = this.renderer;
    if (!r || !this.width) return;
    this.setView(fitView(this.width, this.height, r.width, r.height));
  }

  setView(view: View): void {
    const zoomed = this.view === null || view.scale !== this.view.scale;
    this.view = view;
    this.onView(view);
    if (zoomed) {
      // While zooming, frames stretch the last drawing; a sharp one follows once it settles.
      this.zoomedAt = performance.now();
      clearTimeout(this.settle);
      this.settle = setTimeout(() => this.requestPaint(false, true), SETTLE_MS + 10);
      this.setUi({ scale: view.scale });
    }
    this.requestPaint(false, true);
  }

  /** Where keys put things: the pointer's last place, else the middle of the view. */
  cursorPoint(): Pt {
    if (this.cursor) return this.cursor;
    const r = this.renderer;
    if (this.view && r) return toImage(this.view, [r.width / 2, r.height / 2]);
    return [this.width / 2, this.height / 2];
  }

  // --- painting -------------------------------------------------------------------------

  /** Repaint at the next frame: `content` when objects, selection or the image changed, `moved` when only the view did. */
  requestPaint(content: boolean, moved = false): void {
    if (content) this.version += 1;
    this.dirtyBase ||= content || moved;
    if (this.frame || typeof requestAnimationFrame === "undefined") return;
    this.frame = requestAnimationFrame(() => this.paintNow());
  }

  /** Paint now what a pending request would paint at the next frame (a video's frame, in
   * the very frame the player shows it). */
  flushPaint(): void {
    if (!this.frame) return;
    cancelAnimationFrame(this.frame);
    this.paintNow();
  }

  paintNow(): void {
    this.frame = 0;
    const r = this.renderer;
    const view = this.view;
    if (!r || !view) return;
    const scene = this.scene();
    const started = performance.now();
    if (this.dirty.length && r.patch(scene, view, this.version, this.dirty) === false) this.version += 1;
    this.dirty = [];
    if (this.dirtyBase) r.drawBase(scene, view, this.version, started - this.zoomedAt > SETTLE_MS);
    r.drawOverlay(scene, view, this.overlay());
    this.lastPaintMs = performance.now() - started;
    this.paints += 1;
    r.stamp(this.paints, this.lastPaintMs);
    this.dirtyBase = false;
  }

  hiddenShape = (shape: Shape): boolean => shape.hidden || belowThreshold(shape, this.ui.threshold);

  scene(): Scene {
    const skeleton = this.question.kind === "keypoints" ? this.question.skeleton : null;
    return {
      image: this.image,
      width: this.width,
      height: this.height,
      shapes: this.shapes,
      order: this.order,
      labelIndex: this.labelIndex,
      selectedId: this.ui.selectedId,
      skip: this.hiddenShape,
      edges: skeleton ? skeleton.edges : [],
      others: this.others,
      crossing: checksCrossings(this.question) ? shapeCrosses : undefined,
      live: this.liveImage,
    };
  }

  private overlay(): Overlay {
    const selected = this.preview ?? this.selected();
    const d = this.draft;
    const cursor = this.cursor;
    let draft: Overlay["draft"] = null;
    if (d?.type === "box") {
      const end = cursor ?? d.start;
      draft = { geom: { type: "box", x: Math.min(d.start[0], end[0]), y: Math.min(d.start[1], end[1]), w: Math.abs(end[0] - d.start[0]), h: Math.abs(end[1] - d.start[1]), rotation: 0 }, points: [d.start], closed: true };
    } else if (d?.type === "path") draft = { geom: null, points: cursor ? [...d.points, cursor] : d.points, closed: this.kind === "polygons" || this.kind === "masks" };
    else if (d?.type === "keypoints") draft = { geom: null, points: d.points.filter((p) => p[2] > 0).map((p): Pt => [p[0], p[1]]), closed: false };
    const masks = this.kind === "masks" && this.ui.tool !== "polygon";
    const shown = selected && !this.hiddenShape(selected) ? selected : selected?.id === this.ui.selectedId ? selected : null;
    return {
      // Read only: the selection is drawn as locked (grey handles) and no crosshair follows the pointer.
      selected: shown && this.readOnly ? { ...shown, locked: true } : shown,
      draft,
      cursor: this.readOnly ? null : cursor,
      brush: masks ? { radius: this.ui.brush, erase: this.ui.tool === "eraser" } : null,
      paint: this.paintCanvas,
      hint: this.keypointHint(),
      rotatable: this.question.kind === "boxes" && this.question.rotation,
      extra: this.overlayExtra,
    };
  }

  keypointHint(): string | null {
    if (this.question.kind !== "keypoints") return null;
    const names = this.question.skeleton.points;
    const d = this.draft;
    if (d?.type === "keypoints") return names[d.next] ?? null;
    const selected = this.selected();
    if (selected?.geom.type === "keypoints") {
      const missing = selected.geom.points.findIndex((p) => p[2] === 0);
      return missing >= 0 ? `${names[missing] ?? missing} (N places it)` : null;
    }
    return names[0] ?? null;
  }

  setCursor(p: Pt | null): void {
    this.cursor = p;
    this.onCursor(p);
    this.requestPaint(false);
  }

  // --- selection ------------------------------------------------------------------------

  selected(): Shape | null {
    const id = this.ui.selectedId;
    return id === null ? null : (this.shapes.find((s) => s.id === id) ?? null);
  }

  select(id: string | null, vertex = -1): void {
    if (id === this.ui.selectedId && vertex === this.ui.vertex) return;
    const before = this.selected();
    this.preview = null;
    this.setUi({ selectedId: id, vertex });
    // Another object leaves the base layer (and the last one goes back): only where they are
    // is the base redrawn (with few objects in view, all of it: their names are drawn too).
    const after = this.selected();
    if (before?.id !== after?.id) {
      if (before) this.dirty.push(before.bbox);
      if (after) this.dirty.push(after.bbox);
      if (this.shapes.length <= 150) this.version += 1;
    }
    this.requestPaint(false, true);
    const shape = this.selected();
    if (shape) this.say(`selected ${this.describe(shape)}`);
  }

  describe(shape: Shape): string {
    const option = this.question.labels[this.labelIndex(shape.label)];
    return `${option ? optionText(option) : shape.label} #${shape.id}`;
  }

  /** Select the next (or previous) visible object, in the answer's order. */
  selectNext(direction: 1 | -1): void {
    const visible = this.shapes.filter((s) => !this.hiddenShape(s) || s.id === this.ui.selectedId);
    if (visible.length === 0) return;
    const at = visible.findIndex((s) => s.id === this.ui.selectedId);
    const next = at < 0 ? (direction > 0 ? 0 : visible.length - 1) : (at + direction + visible.length) % visible.length;
    const shape = visible[next] as Shape;
    this.select(shape.id);
    this.reveal(shape);
  }

  /** Pan so that a shape is in view (when it is not). */
  reveal(shape: Shape): void {
    const view = this.view;
    const r = this.renderer;
    if (!view || !r) return;
    const [x0, y0, x1, y1] = shape.bbox;
    const sx0 = x0 * view.scale + view.ox;
    const sy0 = y0 * view.scale + view.oy;
    const sx1 = x1 * view.scale + view.ox;
    const sy1 = y1 * view.scale + view.oy;
    if (sx0 >= 0 && sy0 >= 0 && sx1 <= r.width && sy1 <= r.height) return;
    this.setView({ ...view, ox: view.ox + r.width / 2 - (sx0 + sx1) / 2, oy: view.oy + r.height / 2 - (sy0 + sy1) / 2 });
  }

  /** The topmost object at a point (tolerance: 5 screen pixels). */
  shapeAt(p: Pt): Shape | null {
    if (!this.grid || !this.view) return null;
    const index = topmostAt(this.shapes, this.grid, p, 5 / this.view.scale, this.hiddenShape);
    return index < 0 ? null : (this.shapes[index] as Shape);
  }

  // --- edits (each one answer change, one undo step) ------------------------------------

  commit(objects: JsonObject[], message = ""): void {
    if (this.readOnly) return;
    this.committed = toAnswer(this.value, objects);
    this.onChange(this.committed);
    if (message) this.say(message);
  }

  /** Add an object with the current label; selects it. */
  add(geom: Geometry, message = "added"): string | null {
    if (this.readOnly) return null;
    if (this.objects.length >= this.question.maxObjects) {
      this.say(`this question allows at most ${this.question.maxObjects} objects`);
      return null;
    }
    const option = this.question.labels[this.ui.label] ?? this.question.labels[0];
    if (!option) {
      this.say("this question has no labels: ask the project's manager to add some");
      return null;
    }
    const raw = newObject(this.objects, option.value, geom);
    if (this.newId) raw.id = this.newId(this.objects);
    this.commit([...this.objects, raw]);
    const id = raw.id as string;
    this.setUi({ selectedId: id, vertex: -1 });
    this.say(`${message} ${optionText(option)} #${id}`);
    return id;
  }

  /** Change the selected object (unless it is locked). */
  change(edit: (raw: JsonObject) => JsonObject, message = "", evenLocked = false): boolean {
    const shape = this.selected();
    if (!shape) return false;
    if (shape.locked && !evenLocked) {
      this.say(`#${shape.id} is locked: press L to unlock it`);
      return false;
    }
    this.commit(updateObject(this.objects, shape.id, edit), message);
    return true;
  }

  setGeometry(geom: Geometry): void {
    this.change((raw) => withGeometry(raw, geom));
  }

  relabel(index: number): void {
    const option = this.question.labels[index];
    if (!option) return;
    const shape = this.selected();
    if (shape && shape.label !== option.value) {
      this.change((raw) => ({ ...raw, label: option.value }), `relabelled #${shape.id} as ${optionText(option)}`);
    }
    this.setUi({ label: index });
    if (!shape) this.say(`new shapes: ${optionText(option)}`);
  }

  removeSelected(): void {
    const shape = this.selected();
    if (!shape) return;
    if (shape.locked) {
      this.say(`#${shape.id} is locked: press L to unlock it`);
      return;
    }
    this.commit(removeObject(this.objects, shape.id), `deleted ${this.describe(shape)}`);
  }

  /** Move the selected object (or its selected point) by (dx, dy) image pixels, inside the image. */
  nudge(dx: number, dy: number): void {
    const shape = this.selected();
    if (!shape || shape.geom.type === "mask") return;
    const vertex = this.ui.vertex;
    if (vertex >= 0 && (shape.geom.type === "polygon" || shape.geom.type === "polyline" || shape.geom.type === "keypoints")) {
      const points = shape.geom.points.slice();
      const p = points[vertex];
      if (!p) return;
      const x = Math.min(this.width, Math.max(0, p[0] + dx));
      const y = Math.min(this.height, Math.max(0, p[1] + dy));
      points[vertex] = (shape.geom.type === "keypoints" ? [x, y, p[2] as number] : [x, y]) as never;
      this.setGeometry({ ...shape.geom, points } as Geometry);
      return;
    }
    this.setGeometry(moveInside(shape.geom, dx, dy, this.width, this.height));
  }

  /** Toggle a flag of the selected object (hidden, locked, occluded, truncated). */
  toggle(flag: "hidden" | "locked" | "occluded" | "truncated"): void {
    const shape = this.selected();
    if (!shape) return;
    const on = !shape[flag];
    this.change((raw) => setKey(raw, flag, on ? true : undefined), `#${shape.id} ${on ? "" : "not "}${flag}`, flag === "locked" || flag === "hidden");
  }

  /**
   * U: put the selected object in the current group (again: take it out); Shift+U: in a new
   * group (one more than the largest in the answer), which becomes the current one.
   */
  group(fresh: boolean): void {
    const shape = this.selected();
    if (!shape) return;
    let current = this.ui.group;
    if (fresh || current === null) {
      current = 1 + Math.max(-1, ...this.objects.map((o) => (typeof o.group === "number" ? o.group : -1)));
      this.setUi({ group: current });
    }
    const leave = !fresh && shape.raw.group === current;
    const group = current;
    this.change((raw) => setKey(raw, "group", leave ? undefined : group), leave ? `#${shape.id} out of group ${group}` : `#${shape.id} in group ${group}`, true);
  }

  raise(delta: number): void {
    const shape = this.selected();
    if (!shape) return;
    this.change((raw) => shiftZ(raw, delta), `#${shape.id} z ${shape.z + delta}`, true);
  }

  /** Set one attribute of the selected object (typing in a text attribute merges into one undo step). */
  setAttribute(name: string, value: Json | undefined): void {
    const shape = this.selected();
    if (!shape || this.readOnly) return;
    const objects = updateObject(this.objects, shape.id, (raw) => {
      const attributes: JsonObject = raw.attributes && typeof raw.attributes === "object" && !Array.isArray(raw.attributes) ? { ...raw.attributes } : {};
      if (value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) delete attributes[name];
      else attributes[name] = value;
      return setKey(raw, "attributes", Object.keys(attributes).length ? attributes : undefined);
    });
    this.committed = toAnswer(this.value, objects);
    this.onChange(this.committed, { coalesce: `attribute:${shape.id}:${name}` });
  }

  setThreshold(threshold: number): void {
    this.setUi({ threshold });
    this.requestPaint(true);
  }

  /** Read a shape from an object (for previews while dragging). */
  shapeFrom(raw: JsonObject): Shape {
    return shapeOf(this.kind, raw);
  }
}

/** The same objects (by identity, in order) once the one with this id is left out of both. */
export function sameExcept(a: readonly JsonObject[], b: readonly JsonObject[], id: string): boolean {
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < a.length && (a[i] as JsonObject).id === id) i++;
    while (j < b.length && (b[j] as JsonObject).id === id) j++;
    if (i >= a.length || j >= b.length) return i >= a.length && j >= b.length;
    if (a[i] !== b[j]) return false;
    i++;
    j++;
  }
}
