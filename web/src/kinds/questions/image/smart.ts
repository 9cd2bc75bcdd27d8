/**
 * The Smart tool of a shape question (docs/images.md, "Smart: ask the model with a click or a
 * box"): with the project's interactive model server offered (Suggest), `I` (or the Smart
 * button) turns it on; a click on the image sends that point, a drag sends that box, to the
 * model server as Suggest's context (docs/ml_backends.md: Label Studio's `keypointlabels` /
 * `rectanglelabels` regions, or Accord's points and boxes in pixels), with the current label.
 * The objects the model answers for this question are added, all as one undoable step
 * (Ctrl+Z takes them out), and the tool stays on for the next click. From the keyboard:
 * Enter sends the crosshair's point (the arrows move it), `N` at one corner and `N` at the
 * other send a box. Esc (or `I`) leaves.
 *
 * Like the assist (assist.ts), the left button is taken on the image stage in the capture
 * phase while the tool is on, and what is drawn goes through the editor's `overlayExtra`.
 * The screen provides the call (`WidgetShared.model`), set per editor by SmartTool.tsx.
 */
import type { Json, JsonObject } from "../../../api/types";
import type { ModelAsk } from "../../widgetShared";
import { stopAssist } from "./assist";
import type { ImageEditor } from "./editor";
import type { KeyLike } from "./keys";
import { clampPoint, newObject, objectsOf, type Pt } from "./model";
import { pointerSpace, stageForTool, takeKeys } from "./stage";
import { ToolSnapshots } from "./toolSnapshots";

/** A drag shorter than this (screen px) is a click. */
const CLICK_PX = 4;

export type SmartPhase = "off" | "on" | "working";

export interface SmartSnapshot {
  phase: SmartPhase;
  error: string | null;
}

interface SmartState {
  phase: Exclude<SmartPhase, "off">;
  drag: { start: Pt; screen: Pt; end: Pt } | null;
  /** The first corner of a box placed with N. */
  corner: Pt | null;
  /** What was sent last (drawn while the model works). */
  sent: { point: Pt } | { box: [Pt, Pt] } | null;
  detach: () => void;
}

const asks = new WeakMap<ImageEditor, ModelAsk>();
const states = new WeakMap<ImageEditor, SmartState>();
const shown = new ToolSnapshots<SmartSnapshot>({ phase: "off", error: null });

/** The model server the editor may ask (set by SmartTool.tsx); null: no Smart tool here. */
export function setSmartModel(ed: ImageEditor, ask: ModelAsk | null): void {
  if (ask === null) {
    asks.delete(ed);
    stopSmart(ed);
  } else asks.set(ed, ask);
}

export function smartAvailable(ed: ImageEditor): boolean {
  return asks.has(ed) && !ed.readOnly;
}

export function smartSnapshot(ed: ImageEditor): SmartSnapshot {
  return shown.get(ed);
}

export function subscribeSmart(ed: ImageEditor, listener: () => void): () => void {
  return shown.subscribe(ed, listener);
}

function publish(ed: ImageEditor, error: string | null = null): void {
  const st = states.get(ed);
  shown.publish(ed, { phase: st ? st.phase : "off", error });
}

function status(ed: ImageEditor, text: string | null): void {
  ed.setUi({ drawing: text });
  ed.requestPaint(false);
}

function labelOf(ed: ImageEditor): string {
  const option = ed.question.labels[ed.ui.label] ?? ed.question.labels[0];
  return option?.value ?? "";
}

function showStatus(ed: ImageEditor, st: SmartState): void {
  if (st.phase === "working") status(ed, "Smart: asking the model… (Esc leaves)");
  else if (st.corner) status(ed, "Smart: one corner placed; N at the other corner sends the box; Esc leaves");
  else status(ed, `Smart (${labelOf(ed) || "no label"}): click the object, or drag a box around it; Enter sends the crosshair's point; Esc leaves`);
}

/** The keys of the Smart tool; true when it used the key. */
export function smartKey(ed: ImageEditor, e: KeyLike): boolean {
  if (e.ctrlKey || e.metaKey) return false;
  const st = states.get(ed);
  if ((e.key === "i" || e.key === "I") && !e.shiftKey && !e.altKey && smartAvailable(ed)) {
    if (st) stopSmart(ed, "smart tool off");
    else startSmart(ed);
    return true;
  }
  if (!st) return false;
  if (e.key === "Escape") {
    stopSmart(ed, "smart tool off");
    return true;
  }
  if (st.phase === "working" && (e.key === "Enter" || e.key === "n" || e.key === "N")) {
    ed.say("the model is still answering");
    return true;
  }
  if (e.key === "Enter") {
    st.corner = null;
    void send(ed, st, { point: ed.cursorPoint() });
    return true;
  }
  if (e.key === "n" || e.key === "N") {
    const p = clampPoint(ed.cursorPoint(), ed.width, ed.height);
    if (!st.corner) {
      st.corner = p;
      showStatus(ed, st);
    } else {
      const first = st.corner;
      st.corner = null;
      void send(ed, st, { box: [first, p] });
    }
    return true;
  }
  if (e.key === "Backspace" && st.corner) {
    st.corner = null;
    showStatus(ed, st);
    return true;
  }
  return false;
}

/** Turn the tool on (the assist, if on, goes off). */
export function startSmart(ed: ImageEditor): void {
  if (!smartAvailable(ed) || states.has(ed)) return;
  const stage = stageForTool(ed);
  if (!stage) return;
  stopAssist(ed);
  ed.select(null);
  const st: SmartState = { phase: "on", drag: null, corner: null, sent: null, detach: () => {} };
  st.detach = listen(ed, st, stage);
  states.set(ed, st);
  ed.overlayExtra = (ctx, px) => drawSmart(st, ctx, px);
  showStatus(ed, st);
  publish(ed);
}

/** Turn the tool off (an answer still to come is dropped). */
export function stopSmart(ed: ImageEditor, message = ""): void {
  const st = states.get(ed);
  if (!st) return;
  st.detach();
  states.delete(ed);
  if (ed.overlayExtra) ed.overlayExtra = null;
  status(ed, null);
  if (message) ed.say(message);
  publish(ed);
}

/** Take the left button on the stage (capture phase) while the tool is on. */
function listen(ed: ImageEditor, st: SmartState, stage: HTMLElement): () => void {
  const { screen, image, mine } = pointerSpace(ed, stage);
  const down = (e: PointerEvent): void => {
    if (!mine(e)) return;
    e.stopPropagation();
    e.preventDefault();
    takeKeys(ed);
    if (st.phase === "working") {
      ed.say("the model is still answering");
      return;
    }
    const s = screen(e);
    stage.setPointerCapture?.(e.pointerId);
    st.drag = { start: image(s), screen: s, end: image(s) };
  };
  const move = (e: PointerEvent): void => {
    if (!st.drag) return;
    e.stopPropagation();
    st.drag.end = image(screen(e));
    ed.setCursor(st.drag.end);
  };
  const up = (e: PointerEvent): void => {
    const drag = st.drag;
    if (!drag) return;
    e.stopPropagation();
    st.drag = null;
    stage.releasePointerCapture?.(e.pointerId);
    const s = screen(e);
    const end = image(s);
    const dragged = Math.hypot(s[0] - drag.screen[0], s[1] - drag.screen[1]) > CLICK_PX;
    st.corner = null;
    void send(ed, st, dragged ? { box: [drag.start, end] } : { point: drag.start });
  };
  const swallow = (e: MouseEvent): void => {
    if (mine(e)) e.stopPropagation();
  };
  stage.addEventListener("pointerdown", down, true);
  stage.addEventListener("pointermove", move, true);
  stage.addEventListener("pointerup", up, true);
  stage.addEventListener("dblclick", swallow, true);
  return () => {
    stage.removeEventListener("pointerdown", down, true);
    stage.removeEventListener("pointermove", move, true);
    stage.removeEventListener("pointerup", up, true);
    stage.removeEventListener("dblclick", swallow, true);
  };
}

const r2 = (v: number): number => Math.round(v * 100) / 100;

/** The context for a point or a box (pixels of the image), as the server reads it. */
export function smartContext(ed: ImageEditor, what: { point: Pt } | { box: [Pt, Pt] }): JsonObject {
  const label = labelOf(ed);
  const base: JsonObject = { question: ed.question.name, field: ed.question.target, image: { width: ed.width, height: ed.height } };
  if ("point" in what) {
    const [x, y] = clampPoint(what.point, ed.width, ed.height);
    return { ...base, points: [{ x: r2(x), y: r2(y), label }] };
  }
  const [a, b] = what.box;
  const x0 = Math.min(a[0], b[0]);
  const y0 = Math.min(a[1], b[1]);
  const box = { x: r2(x0), y: r2(y0), width: r2(Math.abs(b[0] - a[0])), height: r2(Math.abs(b[1] - a[1])), label };
  return { ...base, boxes: [box] };
}

async function send(ed: ImageEditor, st: SmartState, what: { point: Pt } | { box: [Pt, Pt] }): Promise<void> {
  const ask = asks.get(ed);
  if (!ask || states.get(ed) !== st) return;
  if ("box" in what) {
    const [a, b] = what.box;
    if (Math.abs(a[0] - b[0]) < 1 || Math.abs(a[1] - b[1]) < 1) {
      ed.say("the box is empty: drag across the object, or click it");
      return;
    }
  }
  st.phase = "working";
  st.sent = what;
  showStatus(ed, st);
  publish(ed);
  try {
    const got = await ask(smartContext(ed, what));
    if (states.get(ed) !== st) return; // left meanwhile
    st.phase = "on";
    st.sent = null;
    const added = addAnswer(ed, got.result[ed.question.name]);
    showStatus(ed, st);
    if (added.length === 0) {
      const message = `the model (${got.model_version}) answered nothing for this question here; try another click or a box`;
      ed.say(message);
      publish(ed, message);
      return;
    }
    const which = added.map((id) => `#${id}`).join(", ");
    status(ed, `Smart (${labelOf(ed)}): added ${which} (${got.model_version}, ${got.seconds.toFixed(1)} s; Ctrl+Z takes ${added.length === 1 ? "it" : "them"} out). Click the next object, or drag a box; Esc leaves`);
    ed.say(`smart: added ${which}`);
    publish(ed);
  } catch (error) {
    if (states.get(ed) !== st) return;
    st.phase = "on";
    st.sent = null;
    const message = error instanceof Error ? error.message : String(error);
    const text = message.charAt(0).toUpperCase() + message.slice(1);
    status(ed, `Smart failed: ${text}. Click again, or Esc`);
    ed.say(`smart failed: ${message}`);
    publish(ed, text);
  }
}

/** Add the objects of the model's answer for this question, with fresh ids, as one change
 * (one undo step); their ids. The model's score is kept (the threshold hides low ones), and
 * a label the question does not have becomes the current one. */
function addAnswer(ed: ImageEditor, value: Json | undefined): string[] {
  const objects = [...ed.objects];
  const added: string[] = [];
  const room = ed.question.maxObjects - objects.length;
  for (const raw of objectsOf(value).slice(0, Math.max(room, 0))) {
    const shape = ed.shapeFrom(raw);
    const label = ed.labelIndex(shape.label) >= 0 ? shape.label : labelOf(ed);
    const fresh: JsonObject = { ...raw, ...newObject(objects, label, shape.geom) };
    if (ed.newId) fresh.id = ed.newId(objects);
    objects.push(fresh);
    added.push(fresh.id as string);
  }
  if (added.length > 0) ed.commit(objects); // not selected: the tool goes on with the next click
  return added;
}

function drawSmart(st: SmartState, ctx: CanvasRenderingContext2D, px: number): void {
  const drag = st.drag;
  const colour = st.phase === "working" ? "#74c0fc" : "#ffd43b";
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.lineWidth = 2 * px;
  ctx.setLineDash([6 * px, 4 * px]);
  const box = drag ? ([drag.start, drag.end] as [Pt, Pt]) : st.sent && "box" in st.sent ? st.sent.box : null;
  if (box) {
    const [a, b] = box;
    ctx.strokeRect(Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.abs(b[0] - a[0]), Math.abs(b[1] - a[1]));
  }
  ctx.setLineDash([]);
  const dot = (p: Pt): void => {
    ctx.beginPath();
    ctx.arc(p[0], p[1], 6 * px, 0, Math.PI * 2);
    ctx.fillStyle = colour;
    ctx.fill();
    ctx.lineWidth = 1.5 * px;
    ctx.strokeStyle = "#111";
    ctx.stroke();
  };
  if (st.sent && "point" in st.sent) dot(st.sent.point);
  if (st.corner) dot(st.corner);
  if (st.phase === "working" && st.sent) {
    const at = "point" in st.sent ? st.sent.point : st.sent.box[0];
    ctx.font = `${14 * px}px system-ui, sans-serif`;
    ctx.fillStyle = "#74c0fc";
    ctx.fillText("asking the model…", at[0], at[1] - 10 * px);
  }
  ctx.restore();
}
