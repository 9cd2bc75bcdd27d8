/**
 * The mouse on the image: press on a shape selects it and a drag moves it; a handle of the
 * selected box resizes it; a vertex drags; a press on empty image draws (a box by dragging,
 * other shapes point by point); wheel zooms at the pointer; the middle button, or a drag with
 * Space held, pans. Each drag is committed once, on release (one undo step). A read-only
 * editor (an answer shown, not edited) only looks: a click selects, any drag pans.
 */
import { labelColour } from "../../palette";
import { beginPaint, endPaint, finishDraft, isPainting, paintTo, placeAt } from "./drawing";
import type { ImageEditor } from "./editor";
import { edgeAt, handleAt, rotationHandle, rotationTowards, vertexAt } from "./hit";
import { ROTATE_GAP } from "./renderer";
import { boxFromCorners, insideImage, moveInside, movePointOf, resizeBox, withGeometry, type Geometry, type Handle, type Pt, type Shape } from "./model";
import { panBy, toImage, zoomAt } from "./view";

type Gesture =
  | { type: "pan"; last: Pt; click?: Pt }
  | { type: "move"; shape: Shape; start: Pt; moved: boolean }
  | { type: "resize"; shape: Shape; handle: Handle }
  | { type: "vertex"; shape: Shape; index: number }
  | { type: "rotate"; shape: Shape }
  | { type: "box"; start: Pt; startScreen: Pt }
  | { type: "paint" };

export class PointerInput {
  private gesture: Gesture | null = null;

  constructor(
    private readonly ed: ImageEditor,
    private readonly element: HTMLElement,
    private readonly takeKeys: () => void,
  ) {}

  private screen(e: { clientX: number; clientY: number }): Pt {
    const rect = this.element.getBoundingClientRect();
    return [e.clientX - rect.left, e.clientY - rect.top];
  }

  private image(s: Pt): Pt {
    return this.ed.view ? toImage(this.ed.view, s) : s;
  }

  private colour(): string {
    const shape = this.ed.selected();
    return labelColour(shape ? this.ed.labelIndex(shape.label) : this.ed.ui.label).edge;
  }

  down = (e: PointerEvent): void => {
    const ed = this.ed;
    this.takeKeys();
    if (!ed.view || !ed.width) return;
    const s = this.screen(e);
    const p = this.image(s);
    this.element.setPointerCapture?.(e.pointerId);
    e.preventDefault();
    if (ed.readOnly) {
      // Looking only: a drag pans; a press let go where it started selects (up, below).
      if (e.button === 0 || e.button === 1) this.gesture = { type: "pan", last: s, ...(e.button === 0 ? { click: s } : {}) };
      return;
    }
    if (e.button === 1 || (e.button === 0 && this.ed.spaceHeld)) {
      this.gesture = { type: "pan", last: s };
      return;
    }
    if (e.button !== 0) return;
    if (ed.kind === "masks" && ed.ui.tool !== "polygon" && !e.ctrlKey && !e.metaKey) {
      beginPaint(ed, p, this.colour());
      this.gesture = { type: "paint" };
      return;
    }
    if (ed.draft) {
      placeAt(ed, p, e.shiftKey);
      return;
    }
    if (this.grabSelected(p, e.altKey) || e.shiftKey) {
      if (e.shiftKey && !this.gesture) this.startDrawing(p, s);
      return;
    }
    const hit = ed.shapeAt(p);
    if (hit) {
      ed.select(hit.id);
      if (!hit.locked && hit.geom.type !== "mask") this.gesture = { type: "move", shape: hit, start: p, moved: false };
      return;
    }
    if (ed.ui.selectedId !== null && ed.kind !== "boxes") {
      ed.select(null);
      return;
    }
    this.startDrawing(p, s);
  };

  private startDrawing(p: Pt, s: Pt): void {
    if (this.ed.kind === "boxes") {
      this.ed.select(null);
      this.gesture = { type: "box", start: p, startScreen: s };
      this.ed.draft = { type: "box", start: p };
      return;
    }
    placeAt(this.ed, p);
  }

  /** A handle or vertex of the selected object under the pointer: start dragging it. */
  private grabSelected(p: Pt, alt: boolean): boolean {
    const ed = this.ed;
    const shape = ed.selected();
    if (!shape || shape.locked || !ed.view) return false;
    const tol = 6 / ed.view.scale;
    const g0 = shape.geom;
    if (g0.type === "box" && ed.question.kind === "boxes" && ed.question.rotation) {
      const [hx, hy] = rotationHandle(g0, ROTATE_GAP / ed.view.scale);
      if (Math.hypot(p[0] - hx, p[1] - hy) <= tol) {
        this.gesture = { type: "rotate", shape };
        return true;
      }
    }
    const handle = handleAt(shape.geom, p, tol);
    if (handle) {
      this.gesture = { type: "resize", shape, handle };
      return true;
    }
    const index = vertexAt(shape.geom, p, tol);
    if (index < 0) return false;
    const g = shape.geom;
    if (alt && g.type === "polygon" && g.points.length > 3) {
      ed.setGeometry({ ...g, points: g.points.filter((_, i) => i !== index) });
      ed.say(`removed a point of #${shape.id}`);
      return true;
    }
    ed.select(shape.id, index);
    this.gesture = { type: "vertex", shape, index };
    return true;
  }

  move = (e: PointerEvent): void => {
    const ed = this.ed;
    if (!ed.view) return;
    const s = this.screen(e);
    const p = this.image(s);
    const g = this.gesture;
    if (g?.type === "pan") {
      ed.setView(panBy(ed.view, s[0] - g.last[0], s[1] - g.last[1]));
      g.last = s;
      return;
    }
    ed.setCursor(p);
    if (!g) return;
    let geom: Geometry | null = null;
    if (g.type === "move") {
      g.moved ||= Math.hypot(p[0] - g.start[0], p[1] - g.start[1]) * ed.view.scale > 2;
      if (g.moved) geom = moveInside(g.shape.geom, p[0] - g.start[0], p[1] - g.start[1], ed.width, ed.height);
    } else if (g.type === "resize" && g.shape.geom.type === "box") {
      geom = resizeBox(g.shape.geom, g.handle, p[0], p[1], ed.width, ed.height);
    } else if (g.type === "rotate" && g.shape.geom.type === "box") {
      const turned: Geometry = { ...g.shape.geom, rotation: rotationTowards(g.shape.geom, p) };
      // A corner may not leave the image: the box stops turning at the edge.
      if (insideImage(turned, ed.width, ed.height)) geom = turned;
    } else if (g.type === "vertex") {
      geom = movePointOf(g.shape.geom, g.index, p, ed.width, ed.height);
    } else if (g.type === "paint") {
      paintTo(ed, p, this.colour());
    }
    if (geom && "shape" in g) {
      ed.preview = ed.shapeFrom(withGeometry(g.shape.raw, geom));
      ed.requestPaint(false);
    }
  };

  up = (e: PointerEvent): void => {
    const ed = this.ed;
    const g = this.gesture;
    this.gesture = null;
    this.element.releasePointerCapture?.(e.pointerId);
    if (!g || !ed.view) return;
    const s = this.screen(e);
    const p = this.image(s);
    if (g.type === "pan" && g.click) {
      if (Math.hypot(s[0] - g.click[0], s[1] - g.click[1]) <= 3) ed.select(ed.shapeAt(p)?.id ?? null);
      return;
    }
    if (g.type === "paint" || isPainting()) {
      endPaint(ed);
      return;
    }
    if (g.type === "box") {
      ed.draft = null;
      const dragged = Math.hypot(s[0] - g.startScreen[0], s[1] - g.startScreen[1]) > 3;
      const geom = dragged ? boxFromCorners(g.start, p, ed.width, ed.height, Math.min(1, 2 / ed.view.scale)) : null;
      if (geom) ed.add(geom, "drew");
      else ed.requestPaint(false);
      return;
    }
    const preview = ed.preview;
    ed.preview = null;
    if (g.type === "move" && !g.moved) return;
    if (preview && g.type !== "pan") ed.setGeometry(preview.geom);
    else ed.requestPaint(false);
  };

  /** Double-click: end the polygon or polyline being drawn, or add a vertex on an edge. */
  dblclick = (e: MouseEvent): void => {
    const ed = this.ed;
    if (ed.readOnly) return;
    if (ed.draft?.type === "path") {
      finishDraft(ed);
      return;
    }
    const shape = ed.selected();
    if (!shape || shape.locked || !ed.view) return;
    const g = shape.geom;
    if (g.type !== "polygon" && g.type !== "polyline") return;
    const p = this.image(this.screen(e));
    const edge = edgeAt(g.points, g.type === "polygon", p, 6 / ed.view.scale);
    if (edge < 0) return;
    const points = [...g.points.slice(0, edge + 1), p, ...g.points.slice(edge + 1)];
    ed.setGeometry({ ...g, points });
    ed.say(`added a point to #${shape.id}`);
  };

  wheel = (e: WheelEvent): void => {
    const ed = this.ed;
    if (!ed.view) return;
    e.preventDefault();
    const s = this.screen(e);
    const factor = Math.exp(-Math.max(-300, Math.min(300, e.deltaY)) * 0.0015);
    ed.setView(zoomAt(ed.view, factor, s[0], s[1]));
  };

  leave = (): void => {
    if (!this.gesture) this.ed.setCursor(null);
  };
}
