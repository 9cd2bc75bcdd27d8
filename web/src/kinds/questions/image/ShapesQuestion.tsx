/**
 * The card of a shape question (boxes, polygons, polylines, points, keypoints, masks): the
 * labels with their number keys, the mask tools, what is being drawn, the selected object,
 * the list of objects, the score threshold for predictions, and the keys. The image itself
 * is drawn by ImageCanvas in the data column; both share one ImageEditor.
 */
import { useContext, useLayoutEffect, useMemo, useSyncExternalStore, type KeyboardEvent } from "react";
import type { ShapeSpec } from "../../../editor/interface";
import { optionText } from "../../../editor/interface";
import { labelColour } from "../../palette";
import { isTypingTarget, keyLabel, type QuestionProps } from "../../types";
import { useUiState } from "../../uiState";
import { WidgetContext, type WidgetShared } from "../../widgetShared";
import { AssistTool } from "./AssistTool";
import { SmartTool } from "./SmartTool";
import { ImageEditor, type MaskTool } from "./editor";
import { handleKey } from "./keys";
import { CROSSING_MESSAGE, checksCrossings, shapeCrosses } from "./crossing";
import { frameKey, onVideo, useFrameBinding } from "./FrameShapes";
import { objectsOf, shapesOf, type Shape } from "./model";
import { ObjectList, SelectedObject } from "./ObjectList";
import "../../../styles/image.css";

/** The one editor of a shape question in this task (shared by its card and its canvas). */
export function editorFor(shared: WidgetShared, question: ShapeSpec): ImageEditor {
  const state = shared.get<ImageEditor | null>(`image:${question.name}`, null);
  let editor = state.get();
  if (!editor) {
    editor = new ImageEditor(question);
    editor.announce = shared.announce;
    editor.readOnly = shared.readOnly;
    state.set(editor);
  }
  return editor;
}

export function useImageEditor(question: ShapeSpec): ImageEditor {
  const shared = useContext(WidgetContext);
  return editorFor(shared, question);
}

const NOUN: Record<ShapeSpec["kind"], string> = {
  boxes: "box",
  polygons: "polygon",
  polylines: "polyline",
  points: "point",
  keypoints: "skeleton",
  masks: "mask",
};

export function ShapesQuestion({ question, value: whole, onChange: change, active, activate, fields }: QuestionProps<ShapeSpec>) {
  const editor = useImageEditor(question);
  const ui = useSyncExternalStore(editor.subscribe, editor.getUi);
  // On a video, the card shows and edits the current frame's objects (FrameShapes.tsx).
  const video = onVideo(question, fields);
  const { value, onChange, frame, link } = useFrameBinding(editor, whole, change, video);
  useLayoutEffect(() => editor.sync({ question, value, onChange, activate }), [editor, question, value, onChange, activate]);
  const shapes = useMemo(() => shapesOf(question.kind, value), [question.kind, value]);
  const selected = ui.selectedId === null ? null : (shapes.find((s) => s.id === ui.selectedId) ?? null);
  const scored = useMemo(() => shapes.filter((s) => s.score !== null), [shapes]);
  const belowCount = scored.filter((s) => (s.score as number) < ui.threshold).length;

  function onKeyDown(event: KeyboardEvent): void {
    if (isTypingTarget(event.target)) return;
    if (link && frameKey(editor, link, event)) {
      event.preventDefault();
      event.stopPropagation();
      return;
    }
    if (event.key === " " && !event.repeat && !link) {
      editor.spaceHeld = true;
      event.preventDefault();
      return;
    }
    if (handleKey(editor, event)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }

  return (
    <div className="shapes-card" tabIndex={-1} data-keys="" onKeyDown={onKeyDown} onKeyUp={(e) => e.key === " " && (editor.spaceHeld = false)} onBlur={() => (editor.spaceHeld = false)}>
      <div className="shape-labels" role="toolbar" aria-label="Labels">
        {question.labels.map((option, index) => {
          const colour = labelColour(index);
          const key = keyLabel(index);
          return (
            <button
              key={option.value}
              type="button"
              tabIndex={-1}
              className="shape-label-button"
              aria-pressed={ui.label === index}
              style={{ background: colour.fill, borderColor: colour.edge }}
              title={option.hint || undefined}
              onClick={() => editor.relabel(index)}
            >
              {key ? <kbd>{key}</kbd> : null} {optionText(option)}
            </button>
          );
        })}
      </div>
      {question.kind === "masks" ? <MaskTools editor={editor} tool={ui.tool} brush={ui.brush} /> : null}
      <AssistTool editor={editor} />
      <SmartTool editor={editor} video={video} />
      <p className="shape-status small" role="status">
        {ui.drawing ?? ui.message ?? ""}
      </p>
      <CrossingNotice question={question} shapes={shapes} />
      {selected ? <SelectedObject editor={editor} shape={selected} /> : null}
      {scored.length ? (
        <label className="shape-threshold">
          Hide predictions scored below
          <input type="range" tabIndex={-1} min={0} max={1} step={0.05} value={ui.threshold} onChange={(e) => editor.setThreshold(Number(e.target.value))} aria-label="Score threshold" />
          <output>{ui.threshold.toFixed(2)}</output>
          <span className="muted small">({belowCount} of {scored.length} hidden)</span>
        </label>
      ) : null}
      <p className="muted small" data-frame-objects={frame ?? undefined}>
        {shapes.length} {NOUN[question.kind]}
        {shapes.length === 1 ? "" : question.kind === "boxes" ? "es" : "s"}
        {frame !== null ? ` at frame ${frame} (${objectsOf(whole).length} in all)` : ""}
        {question.minObjects ? ` (at least ${question.minObjects})` : ""}
      </p>
      <ObjectList editor={editor} shapes={shapes} selectedId={ui.selectedId} />
      {active ? <KeysHint question={question} video={video} /> : null}
    </div>
  );
}

/**
 * Polygons whose outline crosses itself (crossing.ts): with `self_intersection: warn` a
 * warning (the answer is accepted), with `refuse` the error the server would answer.
 */
function CrossingNotice({ question, shapes }: { question: ShapeSpec; shapes: readonly Shape[] }) {
  const crossing = useMemo(() => (checksCrossings(question) ? shapes.filter(shapeCrosses) : []), [question, shapes]);
  if (crossing.length === 0 || question.kind !== "polygons") return null;
  const ids = crossing.slice(0, 5).map((s) => `#${s.id}`);
  const which = `${crossing.length === 1 ? "Outline" : "Outlines"} ${ids.join(", ")}${crossing.length > 5 ? ` and ${crossing.length - 5} more` : ""}`;
  if (question.selfIntersection === "warn") {
    return (
      <p className="shape-crossing-notice small" role="status" data-crossing={crossing.map((s) => s.id).join(" ")}>
        ⚠ {which} {crossing.length === 1 ? "crosses itself" : "cross themselves"}: accepted, but check {crossing.length === 1 ? "it" : "them"} (dashed red on the image).
      </p>
    );
  }
  return (
    <p className="shape-crossing-notice shape-crossing-refused small" role="alert" data-crossing={crossing.map((s) => s.id).join(" ")}>
      ✗ {ids.join(", ")}
      {crossing.length > 5 ? ` and ${crossing.length - 5} more` : ""}: {CROSSING_MESSAGE}.
    </p>
  );
}

function MaskTools({ editor, tool, brush }: { editor: ImageEditor; tool: MaskTool; brush: number }) {
  const tools: Array<[MaskTool, string, string]> = [
    ["brush", "Brush", "B"],
    ["eraser", "Eraser", "E"],
    ["polygon", "Polygon fill", "P"],
  ];
  return (
    <div className="shape-tools" role="toolbar" aria-label="Mask tools">
      {tools.map(([name, text, key]) => (
        <button key={name} type="button" tabIndex={-1} className="shape-tool" aria-pressed={tool === name} onClick={() => editor.setUi({ tool: name })}>
          <kbd>{key}</kbd> {text}
        </button>
      ))}
      <label className="shape-threshold">
        size <kbd>[</kbd>
        <input type="range" tabIndex={-1} min={1} max={100} value={brush} onChange={(e) => editor.setUi({ brush: Number(e.target.value) })} aria-label="Brush size" />
        <kbd>]</kbd> {brush} px
      </label>
    </div>
  );
}

function KeysHint({ question, video }: { question: ShapeSpec; video: boolean }) {
  const shared = useContext(WidgetContext);
  const assist = shared.taskId !== null && (question.kind === "masks" || question.kind === "polygons");
  const smart = useUiState(shared.model) !== null && !video;
  const draw: Record<ShapeSpec["kind"], string> = {
    boxes: "drag on the image (Shift+drag over other boxes), or N at one corner and N at the other",
    polygons: "click (or N) point by point; Enter, a double-click or the first point closes; Backspace takes a point back",
    polylines: "click (or N) point by point; Enter or a double-click ends; Backspace takes a point back",
    points: "click (or N) where the point goes",
    keypoints: "click (or N) each point in skeleton order; Shift: not visible; X skips one; Enter ends",
    masks: "paint with the brush (drag, or N), erase with the eraser; polygon fill: click points, Enter fills; Ctrl+click selects a mask",
  };
  return (
    <p className="keys-hint shape-keys small muted">
      {video ? (
        <>
          On the video: <kbd>,</kbd>/<kbd>.</kbd> or <kbd>←</kbd>/<kbd>→</kbd> step a frame · <kbd>Home</kbd>/<kbd>End</kbd> first / last frame · <kbd>Space</kbd> play · new objects take the frame shown · <kbd>Alt</kbd>+arrows move 1 px (<kbd>Shift</kbd> 10) · <kbd>Alt</kbd>+<kbd>,</kbd>/<kbd>.</kbd> pick a point.{" "}
        </>
      ) : null}
      Draw: {draw[question.kind]}. <kbd>1</kbd>…<kbd>9</kbd> label (of the selected object, else of new ones) · <kbd>Tab</kbd> next object · <kbd>Esc</kbd> deselect ·{" "}
      {video ? null : (
        <>
          <kbd>←↑→↓</kbd> move 1 px (<kbd>Shift</kbd> 10){question.kind === "boxes" ? <> · <kbd>Alt</kbd>+arrows resize</> : null} · <kbd>,</kbd>/<kbd>.</kbd> pick a point ·{" "}
        </>
      )}
      <kbd>Del</kbd> delete ·{" "}
      <kbd>H</kbd> hide · <kbd>L</kbd> lock · <kbd>O</kbd> occluded · <kbd>T</kbd> truncated · <kbd>PgUp</kbd>/<kbd>PgDn</kbd> z-order · <kbd>U</kbd> group (<kbd>Shift</kbd>+<kbd>U</kbd> a new one) ·{" "}
      {question.kind === "keypoints" ? <><kbd>V</kbd> point visible / not · </> : null}
      {smart ? <><kbd>I</kbd> smart: click an object or drag a box and the model server outlines it (<kbd>Enter</kbd> at the crosshair, <kbd>N</kbd> at two corners; <kbd>Ctrl</kbd>+<kbd>Z</kbd> takes it out) · </> : null}
      {assist ? <><kbd>A</kbd> assist: drag a rough box (<kbd>Shift</kbd>/<kbd>Alt</kbd>+click on/off the object) or click points along the outline, <kbd>A</kbd> runs · </> : null}
      {question.kind === "boxes" && question.rotation ? <><kbd>R</kbd>/<kbd>Shift</kbd>+<kbd>R</kbd> rotate 1° (<kbd>Alt</kbd> 15°), or drag the round handle · </> : null}
      <kbd>Ctrl</kbd>+<kbd>C</kbd>/<kbd>V</kbd> copy/paste · <kbd>Ctrl</kbd>+<kbd>Z</kbd> undo · with nothing selected the {video ? "Alt+" : ""}arrows move the crosshair · <kbd>Ctrl</kbd>+arrows pan · <kbd>J</kbd>/<kbd>K</kbd> next/previous question.
    </p>
  );
}
