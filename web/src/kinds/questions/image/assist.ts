/**
 * The assist tool of masks and polygons questions (docs/images.md, "Assist: from a rough box
 * to a mask or polygon"): `A` (or the Assist button) starts it; drag a rough box around the
 * object; optionally Shift+click on the object (foreground) and Alt+click off it (background);
 * `A` or `Enter` sends it to the server (GrabCut, src/accord/api/assist.py), whose answer
 * becomes a new object of the current label (one undo step). Instead of a box, clicks (no
 * drag) put points along the object's outline: with 3 or more, `A` runs OpenCV's intelligent
 * scissors, which join them along the image's edges. `Backspace` takes the last click (then
 * the box) back, `Esc` leaves. While the tool is on, the left button belongs to it (the
 * wheel, the middle button and Space+drag still zoom and pan).
 *
 * The pointer is taken on the image stage in the capture phase, so the editor's own pointer
 * handling (pointer.ts) never sees those presses; the box and clicks are drawn through the
 * editor's `overlayExtra`. No React here (the button is AssistTool.tsx).
 */
import { api, ApiError } from "../../../api";
import type { ImageEditor } from "./editor";
import type { KeyLike } from "./keys";
import type { Geometry, Pt } from "./model";
import { pointerSpace, stageForTool, takeKeys } from "./stage";
import { ToolSnapshots } from "./toolSnapshots";
import { stopSmart } from "./smart";

/** The smallest box the server takes (px of the image, each side). */
export const MIN_BOX = 4;
/** The most clicks (foreground and background together) the server takes. */
export const MAX_CLICKS = 50;
/** The most points an assisted polygon gets (fewer if the question allows fewer). */
export const MAX_POLYGON_POINTS = 200;

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type AssistPhase = "off" | "box" | "ready" | "working";

export interface AssistSnapshot {
  phase: AssistPhase;
  error: string | null;
}

interface AssistState {
  phase: Exclude<AssistPhase, "off">;
  box: Box | null;
  drag: { start: Pt; screen: Pt; end: Pt } | null;
  /** Without a box: points clicked on the object's outline, for the scissors. */
  outline: Pt[];
  fg: Pt[];
  bg: Pt[];
  detach: () => void;
  controller: AbortController | null;
}

const tasks = new WeakMap<ImageEditor, number>();
const states = new WeakMap<ImageEditor, AssistState>();
const shown = new ToolSnapshots<AssistSnapshot>({ phase: "off", error: null });

/** Whether the assist serves this editor: a masks or polygons question on a task's screen. */
export function assistAvailable(ed: ImageEditor): boolean {
  return (ed.kind === "masks" || ed.kind === "polygons") && tasks.has(ed);
}

/** The task whose image the editor shows (set by AssistTool); null: no assist here. */
export function setAssistTask(ed: ImageEditor, taskId: number | null): void {
  if (taskId === null) tasks.delete(ed);
  else tasks.set(ed, taskId);
}

export function assistSnapshot(ed: ImageEditor): AssistSnapshot {
  return shown.get(ed);
}

export function subscribeAssist(ed: ImageEditor, listener: () => void): () => void {
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

const HELP = "Shift+click on the object, Alt+click off it (optional); A or Enter runs; Backspace takes back; Esc leaves";

/** The keys of the assist; true when it used the key. */
export function assistKey(ed: ImageEditor, e: KeyLike): boolean {
  if (e.ctrlKey || e.metaKey) return false;
  const st = states.get(ed);
  const isA = (e.key === "a" || e.key === "A") && !e.shiftKey && !e.altKey;
  if (isA && assistAvailable(ed)) {
    if (!st) startAssist(ed);
    else if (st.phase === "ready") void runAssist(ed);
    else if (st.phase === "working") ed.say("the assist is working…");
    else stopAssist(ed, "assist off");
    return true;
  }
  if (!st) return false;
  if (e.key === "Enter") {
    if (st.phase === "ready") void runAssist(ed);
    else ed.say(st.phase === "working" ? "the assist is working…" : "drag a box around the object first (or click 3 points on its outline)");
    return true;
  }
  if (e.key === "Escape") {
    stopAssist(ed, "assist off");
    return true;
  }
  if (e.key === "Backspace" && st.phase !== "working") {
    if (!st.box) st.outline.pop();
    else if (!st.bg.length && !st.fg.length) st.box = null;
    else if (st.bg.length >= st.fg.length) st.bg.pop();
    else st.fg.pop();
    st.phase = ready(st) ? "ready" : "box";
    showStatus(ed, st);
    return true;
  }
  return false;
}

/** Turn the tool on: the next drag on the image draws its box. */
export function startAssist(ed: ImageEditor): void {
  if (!assistAvailable(ed) || states.has(ed)) return;
  const stage = stageForTool(ed);
  if (!stage) return;
  stopSmart(ed); // one tool owns the left button at a time
  ed.select(null);
  const st: AssistState = { phase: "box", box: null, drag: null, outline: [], fg: [], bg: [], detach: () => {}, controller: null };
  st.detach = listen(ed, st, stage);
  states.set(ed, st);
  ed.overlayExtra = (ctx, px) => drawAssist(ed, st, ctx, px);
  showStatus(ed, st);
  publish(ed);
}

/** Turn the tool off (a request under way is abandoned). */
export function stopAssist(ed: ImageEditor, message = ""): void {
  const st = states.get(ed);
  if (!st) return;
  st.controller?.abort();
  st.detach();
  states.delete(ed);
  ed.overlayExtra = null;
  status(ed, null);
  if (message) ed.say(message);
  publish(ed);
}

function showStatus(ed: ImageEditor, st: AssistState): void {
  if (st.phase === "working") status(ed, "Assist: working… (Esc abandons)");
  else if (!st.box && st.outline.length) status(ed, `Assist (scissors): ${st.outline.length} point${st.outline.length === 1 ? "" : "s"} on the outline; click the next one${st.outline.length >= 3 ? "; A or Enter runs" : ""}; Backspace takes back; Esc leaves`);
  else if (!st.box) status(ed, "Assist: drag a rough box around the object (or click points along its outline); Esc leaves");
  else status(ed, `Assist: box drawn, ${st.fg.length} on / ${st.bg.length} off; ${HELP}`);
}

/** Take the left button on the stage (capture phase) while the tool is on. */
function listen(ed: ImageEditor, st: AssistState, stage: HTMLElement): () => void {
  const { screen, image, mine } = pointerSpace(ed, stage);
  const down = (e: PointerEvent): void => {
    if (!mine(e)) return;
    e.stopPropagation();
    e.preventDefault();
    takeKeys(ed);
    if (st.phase === "working") return;
    const s = screen(e);
    const p = image(s);
    if ((e.shiftKey || e.altKey) && st.box) {
      click(ed, st, p, e.shiftKey);
      return;
    }
    stage.setPointerCapture?.(e.pointerId);
    st.drag = { start: p, screen: s, end: p };
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
    const box = {
      x: Math.min(drag.start[0], end[0]),
      y: Math.min(drag.start[1], end[1]),
      w: Math.abs(end[0] - drag.start[0]),
      h: Math.abs(end[1] - drag.start[1]),
    };
    const dragged = Math.hypot(s[0] - drag.screen[0], s[1] - drag.screen[1]) > 3;
    if (!dragged && !st.box) {
      if (st.outline.length >= MAX_CLICKS) ed.say(`at most ${MAX_CLICKS} points: Backspace takes the last one back`);
      else st.outline.push([Math.round(end[0] * 100) / 100, Math.round(end[1] * 100) / 100]);
      st.phase = ready(st) ? "ready" : "box";
      showStatus(ed, st);
      publish(ed);
      return;
    }
    if (!dragged || box.w < MIN_BOX || box.h < MIN_BOX) {
      ed.say(`drag a box of at least ${MIN_BOX} px on each side around the object`);
      ed.requestPaint(false);
      return;
    }
    st.box = round(box);
    st.outline = [];
    st.fg = [];
    st.bg = [];
    st.phase = "ready";
    showStatus(ed, st);
    publish(ed);
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

/** A box, or at least 3 outline points: something to send. */
function ready(st: AssistState): boolean {
  return st.box !== null || st.outline.length >= 3;
}

function round(box: Box): Box {
  const r = (v: number): number => Math.round(v * 100) / 100;
  return { x: r(box.x), y: r(box.y), w: r(box.w), h: r(box.h) };
}

function click(ed: ImageEditor, st: AssistState, p: Pt, on: boolean): void {
  const box = st.box as Box;
  if (st.fg.length + st.bg.length >= MAX_CLICKS) {
    ed.say(`at most ${MAX_CLICKS} clicks: Backspace takes the last one back`);
    return;
  }
  if (on && (p[0] < box.x || p[0] > box.x + box.w || p[1] < box.y || p[1] > box.y + box.h)) {
    ed.say("a click on the object (Shift) goes inside the box");
    return;
  }
  (on ? st.fg : st.bg).push([Math.round(p[0] * 100) / 100, Math.round(p[1] * 100) / 100]);
  showStatus(ed, st);
}

function drawAssist(ed: ImageEditor, st: AssistState, ctx: CanvasRenderingContext2D, px: number): void {
  const drag = st.drag;
  const box = drag
    ? { x: Math.min(drag.start[0], drag.end[0]), y: Math.min(drag.start[1], drag.end[1]), w: Math.abs(drag.end[0] - drag.start[0]), h: Math.abs(drag.end[1] - drag.start[1]) }
    : st.box;
  ctx.save();
  if (box) {
    ctx.setLineDash([6 * px, 4 * px]);
    ctx.strokeStyle = st.phase === "working" ? "#74c0fc" : "#ffd43b";
    ctx.lineWidth = 2 * px;
    ctx.strokeRect(box.x, box.y, box.w, box.h);
    ctx.setLineDash([]);
  }
  const dot = (p: Pt, colour: string): void => {
    ctx.beginPath();
    ctx.arc(p[0], p[1], 5 * px, 0, Math.PI * 2);
    ctx.fillStyle = colour;
    ctx.fill();
    ctx.lineWidth = 1.5 * px;
    ctx.strokeStyle = "#111";
    ctx.stroke();
  };
  if (st.outline.length) {
    ctx.setLineDash([6 * px, 4 * px]);
    ctx.strokeStyle = st.phase === "working" ? "#74c0fc" : "#ffd43b";
    ctx.lineWidth = 2 * px;
    ctx.beginPath();
    st.outline.forEach((p, i) => (i ? ctx.lineTo(p[0], p[1]) : ctx.moveTo(p[0], p[1])));
    if (st.outline.length >= 3) ctx.closePath();
    ctx.stroke();
    ctx.setLineDash([]);
    for (const p of st.outline) dot(p, "#ffd43b");
  }
  for (const p of st.fg) dot(p, "#51cf66");
  for (const p of st.bg) dot(p, "#ff6b6b");
  if (box && st.phase === "working") {
    ctx.font = `${14 * px}px system-ui, sans-serif`;
    ctx.fillStyle = "#74c0fc";
    ctx.fillText("working…", box.x, box.y - 6 * px);
  }
  ctx.restore();
  void ed;
}

/** Send the box and clicks; the answer becomes a new object of the current label. */
export async function runAssist(ed: ImageEditor): Promise<void> {
  const st = states.get(ed);
  const taskId = tasks.get(ed);
  if (!st || !ready(st) || taskId === undefined) return;
  st.phase = "working";
  st.controller = new AbortController();
  showStatus(ed, st);
  publish(ed);
  const polygon = ed.question.kind === "polygons";
  const maxPoints = ed.question.kind === "polygons" ? Math.min(MAX_POLYGON_POINTS, ed.question.maxPoints) : MAX_POLYGON_POINTS;
  try {
    const result = await api.assist.run(
      taskId,
      {
        field: ed.question.target,
        ...(st.box ? { tool: "grabcut", box: st.box, foreground: st.fg, background: st.bg } : { tool: "scissors", points: st.outline }),
        output: polygon ? "polygon" : "mask",
        ...(polygon ? { max_points: Math.max(3, maxPoints) } : {}),
      },
      st.controller.signal,
    );
    if (states.get(ed) !== st) return; // left meanwhile
    const geom = geometryOf(ed, result);
    stopAssist(ed);
    const id = ed.add(geom, "assist:");
    if (id) ed.say(`assist: added ${polygon ? "polygon" : "mask"} #${id} (${result.seconds.toFixed(2)} s on the server); A for another`);
  } catch (error) {
    if (states.get(ed) !== st) return;
    st.phase = "ready";
    st.controller = null;
    const message = error instanceof ApiError || error instanceof Error ? error.message : String(error);
    status(ed, `Assist failed: ${message}. Adjust the box or clicks and press A again, or Esc`);
    ed.say(`assist failed: ${message}`);
    publish(ed, message);
  }
}

function geometryOf(ed: ImageEditor, result: Awaited<ReturnType<typeof api.assist.run>>): Geometry {
  if (result.width !== ed.width || result.height !== ed.height) {
    throw new Error(`the server reads the image as ${result.width}×${result.height} px but it is shown ${ed.width}×${ed.height} px (its size in the task is wrong): ask the project's manager to fix it`);
  }
  if (result.points) return { type: "polygon", points: result.points.map((p): Pt => [p[0], p[1]]) };
  if (result.rle) return { type: "mask", rle: result.rle };
  throw new Error("the server answered neither a mask nor a polygon");
}
