/**
 * Drawing with Canvas 2D, two layers: `base` holds the image and every object but the
 * selected one, `overlay` the selected object with its handles, the shape being drawn, the
 * crosshair and the brush. Objects are batched into one path per run of the same label, and
 * those outside the view are skipped, so thousands of shapes paint in a few milliseconds.
 * Nothing here knows about React or about the answer's JSON.
 */
import { labelColour } from "../../palette";
import { decodeCached } from "./rle";
import { HANDLES } from "./model";
import { handlePosition, rotationHandle } from "./hit";
import { boxCorners, type Bbox, type Geometry, type Pt, type Rle, type Shape } from "./model";
import { visibleRect, type View } from "./view";

/** How far (screen pixels) above a box its rotation handle is. */
export const ROTATE_GAP = 22;

export interface Scene {
  image: CanvasImageSource | null;
  width: number;
  height: number;
  shapes: readonly Shape[];
  /** Draw order: indices into `shapes`, lowest z first. */
  order: readonly number[];
  labelIndex: (label: string) => number;
  selectedId: string | null;
  /** Objects to leave out (hidden, under the score threshold). */
  skip: (shape: Shape) => boolean;
  /** Skeleton edges of keypoints. */
  edges: ReadonlyArray<readonly [number, number]>;
  /** Other questions' objects on the same image, drawn faint and never edited. */
  others: ReadonlyArray<{ shapes: readonly Shape[]; labelIndex: (label: string) => number }>;
  /** Outlines that cross themselves (crossing.ts), drawn with a dashed red edge and a ⚠ tag. */
  crossing?: (shape: Shape) => boolean;
  /** The image changes at almost every paint (a video's frames, for tracks): it is drawn
   * straight onto the base layer, scaled as it is, neither cached with the objects nor reduced
   * into halved copies first (each costs more than it saves when an image is drawn once). */
  live?: boolean;
}

const NEVER = (): boolean => false;
const CROSSING_EDGE = "#ff2d55";

export interface Overlay {
  /** The selected object as it is being edited (or as it is). */
  selected: Shape | null;
  /** A shape being drawn: its points so far and the pointer. */
  draft: { geom: Geometry | null; points: Pt[]; closed: boolean } | null;
  cursor: Pt | null;
  brush: { radius: number; erase: boolean } | null;
  /** The mask being painted (drawn instead of the stored one). */
  paint: HTMLCanvasElement | null;
  /** Index of the keypoint to place next, for its name beside the cursor. */
  hint: string | null;
  /** The selected box shows a rotation handle. */
  rotatable: boolean;
  /** Drawn last, in image pixels (`px`: one screen pixel), e.g. the assist's box (assist.ts). */
  extra?: ((ctx: CanvasRenderingContext2D, px: number) => void) | null;
}

/** Draw order: by z, then by label so that runs of one label batch into one path. */
export function drawOrder(shapes: readonly Shape[], labelIndex: (label: string) => number): number[] {
  const order = shapes.map((_, i) => i);
  const anyZ = shapes.some((s) => s.z !== 0);
  return order.sort((a, b) => {
    const sa = shapes[a] as Shape;
    const sb = shapes[b] as Shape;
    if (anyZ && sa.z !== sb.z) return sa.z - sb.z;
    return labelIndex(sa.label) - labelIndex(sb.label) || a - b;
  });
}

const overlaps = (b: Bbox, r: Bbox): boolean => b[2] >= r[0] && b[0] <= r[2] && b[3] >= r[1] && b[1] <= r[3];

function tracePath(ctx: CanvasRenderingContext2D, points: readonly (readonly number[])[], closed: boolean): void {
  const first = points[0];
  if (!first) return;
  ctx.moveTo(first[0] as number, first[1] as number);
  for (let i = 1; i < points.length; i++) ctx.lineTo((points[i] as number[])[0] as number, (points[i] as number[])[1] as number);
  if (closed) ctx.closePath();
}

const maskCanvases = new Map<string, HTMLCanvasElement>();

/** A mask as a canvas of its colour (cached by its RLE). */
function maskCanvas(rle: Rle, colour: string): HTMLCanvasElement | null {
  const [h, w] = rle.size;
  if (!rle.counts || h <= 0 || w <= 0) return null;
  const key = `${colour}:${h}x${w}:${rle.counts}`;
  let canvas = maskCanvases.get(key);
  if (canvas) return canvas;
  const mask = decodeCached(rle);
  canvas = document.createElement("canvas");
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext("2d");
  if (!ctx) return null;
  const data = ctx.createImageData(w, h);
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16)) as [number, number, number];
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    data.data[4 * i] = r;
    data.data[4 * i + 1] = g;
    data.data[4 * i + 2] = b;
    data.data[4 * i + 3] = 110;
  }
  ctx.putImageData(data, 0, 0);
  maskCanvases.set(key, canvas);
  if (maskCanvases.size > 64) maskCanvases.delete(maskCanvases.keys().next().value as string);
  return canvas;
}

export class Renderer {
  private readonly base: CanvasRenderingContext2D;
  private readonly overlay: CanvasRenderingContext2D;
  width = 0;
  height = 0;
  private dpr = 1;
  private pyramid: { image: CanvasImageSource; levels: CanvasImageSource[] } | null = null;

  constructor(baseCanvas: HTMLCanvasElement, overlayCanvas: HTMLCanvasElement) {
    const base = baseCanvas.getContext("2d");
    const overlay = overlayCanvas.getContext("2d");
    if (!base || !overlay) throw new Error("this browser cannot draw on a canvas (2D context unavailable)");
    this.base = base;
    this.overlay = overlay;
  }

  /** Size both canvases to the CSS size (w × h) at the device pixel ratio. */
  resize(w: number, h: number, dpr: number): void {
    this.width = w;
    this.height = h;
    this.dpr = dpr;
    for (const ctx of [this.base, this.overlay]) {
      ctx.canvas.width = Math.max(1, Math.round(w * dpr));
      ctx.canvas.height = Math.max(1, Math.round(h * dpr));
    }
  }

  private begin(ctx: CanvasRenderingContext2D, view: View | null): void {
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    if (view) ctx.transform(view.scale, 0, 0, view.scale, view.ox, view.oy);
  }

  /**
   * The image and every object but the selected one. They are drawn once into a cached
   * bitmap covering the view and half a view around it, at the current scale: panning only
   * copies that bitmap (a constant cost however many objects there are) until the view
   * leaves it. While the scale changes quickly (`settled` false) the bitmap is stretched and
   * the editor repaints sharply once the zoom settles. `version` changes with the content.
   */
  drawBase(scene: Scene, view: View, version: number, settled: boolean): void {
    const ctx = this.base;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#2b2f36";
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    if (scene.live) {
      this.cache = null;
      this.begin(ctx, null);
      this.drawContent(ctx, scene, view, this.width, this.height);
      return;
    }
    const c = this.cache;
    const seen = visibleRect(view, this.width, this.height);
    // Only the image's area matters: around it is the plain background.
    const want: [number, number, number, number] = [Math.max(0, seen[0]), Math.max(0, seen[1]), Math.min(scene.width, seen[2]), Math.min(scene.height, seen[3])];
    const fresh = c !== null && c.version === version;
    const covers = fresh && c.scale === view.scale && want[0] >= c.x0 - 1 && want[1] >= c.y0 - 1 && want[2] <= c.x1 + 1 && want[3] <= c.y1 + 1;
    if (!covers && !(fresh && !settled) && !this.rebuild(scene, view, version, want)) {
      this.begin(ctx, null);
      this.drawContent(ctx, scene, view, this.width, this.height);
      return;
    }
    const k = this.cache as NonNullable<Renderer["cache"]>;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.imageSmoothingEnabled = k.scale !== view.scale;
    ctx.drawImage(k.canvas, k.x0 * view.scale + view.ox, k.y0 * view.scale + view.oy, (k.x1 - k.x0) * view.scale, (k.y1 - k.y0) * view.scale);
  }

  private cache: { canvas: HTMLCanvasElement; version: number; scale: number; x0: number; y0: number; x1: number; y1: number } | null = null;

  /** Draw the view and half a view around it into the cache (false: too large to cache). */
  private rebuild(scene: Scene, view: View, version: number, want: [number, number, number, number]): boolean {
    const padX = (want[2] - want[0]) / 2;
    const padY = (want[3] - want[1]) / 2;
    const x0 = Math.max(0, want[0] - padX);
    const y0 = Math.max(0, want[1] - padY);
    const x1 = Math.min(scene.width, want[2] + padX);
    const y1 = Math.min(scene.height, want[3] + padY);
    const w = Math.ceil((x1 - x0) * view.scale * this.dpr);
    const h = Math.ceil((y1 - y0) * view.scale * this.dpr);
    if (w <= 0 || h <= 0 || w > 6000 || h > 6000 || typeof document === "undefined") return false;
    const canvas = this.cache && this.cache.canvas.width === w && this.cache.canvas.height === h ? this.cache.canvas : document.createElement("canvas");
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext("2d");
    if (!ctx) return false;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    this.drawContent(ctx, scene, { scale: view.scale, ox: -x0 * view.scale, oy: -y0 * view.scale }, w / this.dpr, h / this.dpr);
    this.cache = { canvas, version, scale: view.scale, x0, y0, x1: x0 + w / this.dpr / view.scale, y1: y0 + h / this.dpr / view.scale };
    return true;
  }

  /**
   * Redraw only these image rectangles of the cached bitmap (an object left the base layer,
   * or came back to it, when the selection changed): what overlaps them is drawn again,
   * clipped. False when there is no bitmap of this content and scale to patch.
   */
  patch(scene: Scene, view: View, version: number, rects: readonly Bbox[]): boolean {
    const c = this.cache;
    if (!c || c.version !== version || c.scale !== view.scale || rects.length === 0) return false;
    const ctx = c.canvas.getContext("2d");
    if (!ctx) return false;
    const local: View = { scale: view.scale, ox: -c.x0 * view.scale, oy: -c.y0 * view.scale };
    const pad = 12 / view.scale;
    const union: Bbox = [Infinity, Infinity, -Infinity, -Infinity];
    ctx.save();
    ctx.setTransform(this.dpr * view.scale, 0, 0, this.dpr * view.scale, this.dpr * local.ox, this.dpr * local.oy);
    ctx.beginPath();
    for (const [x0, y0, x1, y1] of rects) {
      ctx.rect(x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad);
      union[0] = Math.min(union[0], x0 - pad);
      union[1] = Math.min(union[1], y0 - pad);
      union[2] = Math.max(union[2], x1 + pad);
      union[3] = Math.max(union[3], y1 + pad);
    }
    ctx.clip();
    ctx.fillStyle = "#2b2f36";
    ctx.fillRect(union[0], union[1], union[2] - union[0], union[3] - union[1]);
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    this.drawContent(ctx, scene, local, c.canvas.width / this.dpr, c.canvas.height / this.dpr, union);
    ctx.restore();
    return true;
  }

  /** The image and the objects through `view` onto a context of w × h CSS pixels (only those over `only`, when given). */
  private drawContent(ctx: CanvasRenderingContext2D, scene: Scene, view: View, w: number, h: number, only: Bbox | null = null): void {
    ctx.save();
    ctx.transform(view.scale, 0, 0, view.scale, view.ox, view.oy);
    if (scene.image) {
      ctx.imageSmoothingEnabled = view.scale < 2;
      ctx.drawImage(this.levelFor(scene, view.scale), 0, 0, scene.width, scene.height);
    }
    const rect = only ?? visibleRect(view, w, h);
    const margin = 8 / view.scale;
    const visible: Bbox = [rect[0] - margin, rect[1] - margin, rect[2] + margin, rect[3] + margin];
    for (const layer of scene.others) {
      ctx.globalAlpha = 0.45;
      this.drawShapes(ctx, layer.shapes, layer.shapes.map((_, i) => i), layer.labelIndex, view, visible, () => false, scene.edges);
      ctx.globalAlpha = 1;
    }
    const skip = (s: Shape): boolean => s.id === scene.selectedId || scene.skip(s);
    const drawn = this.drawShapes(ctx, scene.shapes, scene.order, scene.labelIndex, view, visible, skip, scene.edges, scene.crossing ?? NEVER);
    ctx.restore();
    if (drawn <= 150 && !only) this.drawTags(ctx, scene, view, visible, skip);
  }

  /**
   * The image at the smallest size that is still at least as detailed as the screen needs:
   * halved copies are made once, when first needed, so that a zoomed-out view of a large
   * image never resamples all of its pixels on every frame.
   */
  private levelFor(scene: Scene, scale: number): CanvasImageSource {
    const image = scene.image as CanvasImageSource;
    if (scene.live) return image;
    if (this.pyramid?.image !== image) this.pyramid = { image, levels: [image] };
    const levels = this.pyramid.levels;
    let level = 0;
    while (scale <= 0.5 ** (level + 1) && Math.max(scene.width, scene.height) * 0.5 ** (level + 1) >= 256) {
      level += 1;
      if (!levels[level]) {
        const w = Math.max(1, Math.round(scene.width * 0.5 ** level));
        const h = Math.max(1, Math.round(scene.height * 0.5 ** level));
        const canvas = document.createElement("canvas");
        canvas.width = w;
        canvas.height = h;
        const ctx = canvas.getContext("2d");
        if (!ctx) break;
        ctx.drawImage(levels[level - 1] as CanvasImageSource, 0, 0, w, h);
        levels[level] = canvas;
      }
    }
    return levels[level] as CanvasImageSource;
  }

  /** Every shape in `order`, one path per run of one label; returns how many were drawn. */
  private drawShapes(
    ctx: CanvasRenderingContext2D,
    shapes: readonly Shape[],
    order: readonly number[],
    labelIndex: (label: string) => number,
    view: View,
    visible: Bbox,
    skip: (s: Shape) => boolean,
    edges: Scene["edges"],
    crossing: (s: Shape) => boolean = NEVER,
  ): number {
    const line = 1.6 / view.scale;
    let drawn = 0;
    let runLabel = -2;
    let open = false;
    const flush = (): void => {
      if (!open) return;
      const colour = labelColour(runLabel);
      ctx.fillStyle = colour.fill;
      ctx.globalAlpha *= 0.35;
      ctx.fill("evenodd");
      ctx.globalAlpha /= 0.35;
      ctx.strokeStyle = colour.edge;
      ctx.lineWidth = line;
      ctx.stroke();
      open = false;
    };
    for (const index of order) {
      const shape = shapes[index] as Shape;
      if (skip(shape) || !overlaps(shape.bbox, visible)) continue;
      drawn++;
      const label = labelIndex(shape.label);
      const g = shape.geom;
      if (g.type === "mask" || g.type === "keypoints" || g.type === "polyline" || g.type === "point" || shape.occluded || crossing(shape)) {
        flush();
        this.drawOne(ctx, shape, label, view, edges, false, null, crossing(shape));
        continue;
      }
      if (label !== runLabel) {
        flush();
        runLabel = label;
      }
      if (!open) {
        ctx.beginPath();
        open = true;
      }
      if (g.type === "box" && !g.rotation) ctx.rect(g.x, g.y, g.w, g.h);
      else tracePath(ctx, g.type === "box" ? boxCorners(g) : g.points, true);
    }
    flush();
    return drawn;
  }

  /** One shape on its own (masks, lines, points, keypoints, occluded or selected shapes). */
  private drawOne(ctx: CanvasRenderingContext2D, shape: Shape, label: number, view: View, edges: Scene["edges"], selected: boolean, paint: HTMLCanvasElement | null = null, crosses = false): void {
    const colour = labelColour(label);
    const g = shape.geom;
    const px = 1 / view.scale;
    ctx.lineWidth = (selected ? 2.6 : 1.6) * px;
    ctx.strokeStyle = colour.edge;
    ctx.fillStyle = colour.fill;
    ctx.setLineDash(shape.occluded ? [6 * px, 4 * px] : []);
    ctx.beginPath();
    switch (g.type) {
      case "mask": {
        const canvas = paint ?? maskCanvas(g.rle, colour.edge);
        if (canvas) ctx.drawImage(canvas, 0, 0, g.rle.size[1], g.rle.size[0]);
        break;
      }
      case "box":
        tracePath(ctx, boxCorners(g), true);
        break;
      case "polygon":
        tracePath(ctx, g.points, true);
        break;
      case "polyline":
        tracePath(ctx, g.points, false);
        ctx.stroke();
        ctx.beginPath();
        for (const [x, y] of g.points) ctx.rect(x - 2 * px, y - 2 * px, 4 * px, 4 * px);
        ctx.fillStyle = colour.edge;
        ctx.fill();
        break;
      case "point":
        ctx.arc(g.x, g.y, (selected ? 6 : 4.5) * px, 0, Math.PI * 2);
        ctx.fillStyle = colour.edge;
        ctx.fill();
        ctx.strokeStyle = "#fff";
        ctx.lineWidth = 1.5 * px;
        ctx.stroke();
        break;
      case "keypoints":
        this.drawKeypoints(ctx, g.points, colour.edge, edges, px, selected);
        break;
    }
    if (g.type === "box" || g.type === "polygon") {
      ctx.globalAlpha *= 0.35;
      ctx.fill("evenodd");
      ctx.globalAlpha /= 0.35;
      ctx.stroke();
    }
    if (crosses) {
      // Over the label's colour: red dashes, so the outline reads "check me" at any zoom.
      ctx.setLineDash([6 * px, 4 * px]);
      ctx.strokeStyle = CROSSING_EDGE;
      ctx.lineWidth = (selected ? 2.6 : 2) * px;
      ctx.stroke();
    }
    ctx.setLineDash([]);
  }

  private drawKeypoints(ctx: CanvasRenderingContext2D, points: readonly (readonly number[])[], edge: string, edges: Scene["edges"], px: number, selected: boolean): void {
    ctx.beginPath();
    for (const [a, b] of edges) {
      const p = points[a];
      const q = points[b];
      if (!p || !q || !p[2] || !q[2]) continue;
      ctx.moveTo(p[0] as number, p[1] as number);
      ctx.lineTo(q[0] as number, q[1] as number);
    }
    ctx.strokeStyle = edge;
    ctx.lineWidth = (selected ? 2.4 : 1.6) * px;
    ctx.stroke();
    for (const [x, y, v] of points as number[][]) {
      if (!v) continue;
      ctx.beginPath();
      ctx.arc(x as number, y as number, 4 * px, 0, Math.PI * 2);
      ctx.fillStyle = v === 2 ? edge : "#fff";
      ctx.fill();
      ctx.strokeStyle = v === 2 ? "#fff" : edge;
      ctx.lineWidth = 1.5 * px;
      ctx.stroke();
    }
  }

  /** Label names beside shapes (only when few are on screen). */
  private drawTags(ctx: CanvasRenderingContext2D, scene: Scene, view: View, visible: Bbox, skip: (s: Shape) => boolean): void {
    ctx.save();
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "bottom";
    for (const shape of scene.shapes) {
      if (skip(shape) || !overlaps(shape.bbox, visible) || shape.geom.type === "mask") continue;
      const x = shape.bbox[0] * view.scale + view.ox;
      const y = shape.bbox[1] * view.scale + view.oy;
      const crosses = scene.crossing?.(shape) ?? false;
      const text = `${crosses ? "⚠ " : ""}${shape.score === null ? shape.label : `${shape.label} ${shape.score.toFixed(2)}`}`;
      const w = ctx.measureText(text).width + 6;
      ctx.fillStyle = crosses ? CROSSING_EDGE : labelColour(scene.labelIndex(shape.label)).edge;
      ctx.fillRect(x, y - 14, w, 14);
      ctx.fillStyle = "#fff";
      ctx.fillText(text, x + 3, y - 1);
    }
    ctx.restore();
  }

  /** How many full repaints were made and how long the last took (read by the benchmark). */
  stamp(paints: number, ms: number): void {
    this.overlay.canvas.dataset.paints = String(paints);
    this.overlay.canvas.dataset.paintMs = ms.toFixed(2);
    this.overlay.canvas.dataset.paintedAt = performance.now().toFixed(2);
  }

  drawOverlay(scene: Scene, view: View, overlay: Overlay): void {
    const ctx = this.overlay;
    // Where the image is (scale, offset x, offset y): tests and the benchmark read it.
    ctx.canvas.dataset.view = `${view.scale},${view.ox},${view.oy}`;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    this.begin(ctx, view);
    const px = 1 / view.scale;
    const selected = overlay.selected;
    if (selected) {
      this.drawOne(ctx, selected, scene.labelIndex(selected.label), view, scene.edges, true, overlay.paint, scene.crossing?.(selected) ?? false);
      this.drawHandles(ctx, selected.geom, px, selected.locked);
      if (overlay.rotatable && selected.geom.type === "box" && !selected.locked) {
        const g = selected.geom;
        const [hx, hy] = rotationHandle(g, ROTATE_GAP * px);
        const [tx, ty] = rotationHandle(g, 0);
        ctx.beginPath();
        ctx.moveTo(tx, ty);
        ctx.lineTo(hx, hy);
        ctx.strokeStyle = "#fff";
        ctx.lineWidth = px;
        ctx.stroke();
        ctx.beginPath();
        ctx.arc(hx, hy, 5 * px, 0, Math.PI * 2);
        ctx.fillStyle = "#fff";
        ctx.fill();
        ctx.strokeStyle = "#111";
        ctx.stroke();
      }
    }
    if (overlay.draft) this.drawDraft(ctx, overlay.draft, px);
    if (overlay.cursor) this.drawCursor(ctx, scene, view, overlay);
    overlay.extra?.(ctx, px);
  }

  private drawHandles(ctx: CanvasRenderingContext2D, g: Geometry, px: number, locked: boolean): void {
    const size = 7 * px;
    ctx.fillStyle = locked ? "#888" : "#fff";
    ctx.strokeStyle = "#111";
    ctx.lineWidth = px;
    const square = ([x, y]: readonly number[]): void => {
      ctx.fillRect((x as number) - size / 2, (y as number) - size / 2, size, size);
      ctx.strokeRect((x as number) - size / 2, (y as number) - size / 2, size, size);
    };
    if (g.type === "box") for (const handle of HANDLES) square(handlePosition(g, handle));
    else if (g.type === "polygon" || g.type === "polyline") for (const p of g.points) square(p);
  }

  private drawDraft(ctx: CanvasRenderingContext2D, draft: NonNullable<Overlay["draft"]>, px: number): void {
    ctx.setLineDash([5 * px, 3 * px]);
    ctx.strokeStyle = "#ffd43b";
    ctx.lineWidth = 2 * px;
    ctx.beginPath();
    if (draft.geom?.type === "box") tracePath(ctx, boxCorners(draft.geom), true);
    else tracePath(ctx, draft.points, draft.closed);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = "#ffd43b";
    for (const [x, y] of draft.points) ctx.fillRect(x - 3 * px, y - 3 * px, 6 * px, 6 * px);
  }

  private drawCursor(ctx: CanvasRenderingContext2D, scene: Scene, view: View, overlay: Overlay): void {
    const [x, y] = overlay.cursor as Pt;
    const px = 1 / view.scale;
    if (overlay.brush) {
      ctx.beginPath();
      ctx.arc(x, y, overlay.brush.radius, 0, Math.PI * 2);
      ctx.strokeStyle = overlay.brush.erase ? "#ff6b6b" : "#ffd43b";
      ctx.lineWidth = 1.5 * px;
      ctx.stroke();
      return;
    }
    ctx.strokeStyle = "rgba(255, 212, 59, 0.8)";
    ctx.lineWidth = px;
    ctx.beginPath();
    ctx.moveTo(0, y);
    ctx.lineTo(scene.width, y);
    ctx.moveTo(x, 0);
    ctx.lineTo(x, scene.height);
    ctx.stroke();
    if (overlay.hint) {
      ctx.save();
      ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
      ctx.font = "12px system-ui, sans-serif";
      ctx.fillStyle = "#ffd43b";
      ctx.fillText(overlay.hint, x * view.scale + view.ox + 8, y * view.scale + view.oy - 8);
      ctx.restore();
    }
  }
}
