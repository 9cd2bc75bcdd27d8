/**
 * The image with a shape question's objects, drawn in the data column: two canvases (see
 * renderer.ts), the pointer input, and a status line (zoom, size, the cursor's pixel).
 * Keys go to the question's card (it has the focus after a click here), as for spans. A
 * read-only editor keeps the keys on the stage (there may be an editable card of the same
 * question elsewhere on the screen) and names the object under the pointer in the status line.
 */
import { useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore, type ReactNode, type RefObject } from "react";
import type { Json } from "../../../api/types";
import type { ShapeSpec } from "../../../editor/interface";
import { titleOf } from "../../../editor/interface";
import { isTypingTarget } from "../../types";
import type { ImageEditor, Layer } from "./editor";
import { handleKey } from "./keys";
import { PointerInput } from "./pointer";
import { Renderer } from "./renderer";
import { labelText } from "./inspect";
import { imageSourceOf, loadImage } from "./source";
import "../../../styles/image.css";

interface ImageCanvasProps {
  editor: ImageEditor;
  question: ShapeSpec;
  image: Json | undefined;
  value: Json | undefined;
  onChange: (value: Json | undefined) => void;
  active: boolean;
  activate: () => void;
  others: Layer[];
  /** Drawn over the image (e.g. the image's class). */
  badges?: string[];
  /** The picture to draw on, given rather than loaded from `image` (a video's frame, for tracks). */
  picture?: { image: CanvasImageSource; width: number; height: number } | null;
  /** The keys shown in the status line, instead of the image's (Space plays a video). */
  statusKeys?: ReactNode;
}

export function ImageCanvas({ editor, question, image, value, onChange, active, activate, others, badges, picture, statusKeys }: ImageCanvasProps) {
  const stage = useRef<HTMLDivElement>(null);
  const base = useRef<HTMLCanvasElement>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  const where = useRef<HTMLSpanElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [preview, setPreview] = useState(false);
  const ui = useSyncExternalStore(editor.subscribe, editor.getUi);

  useLayoutEffect(() => {
    editor.sync({ question, value, onChange, activate });
    if (editor.others !== others) {
      editor.others = others;
      editor.requestPaint(true);
    }
  }, [editor, question, value, onChange, activate, others]);

  const given = picture !== undefined;
  useEffect(() => {
    if (picture) editor.setImage(picture.image, picture.width, picture.height);
  }, [editor, picture]);

  useEffect(() => {
    if (given) return;
    const source = imageSourceOf(image);
    if (!source) {
      setProblem("this task has no image in this field (expected a link, or {src, width, height})");
      return;
    }
    let gone = false;
    loadImage(
      source,
      (loaded) => {
        editor.setImage(loaded.image, loaded.width, loaded.height);
        setPreview(loaded.preview);
      },
      () => gone,
    ).catch((error: unknown) => setProblem(error instanceof Error ? error.message : String(error)));
    return () => {
      gone = true;
    };
  }, [editor, image, given]);

  useStage(editor, question.name, stage, base, overlay, where, setProblem);

  /** Keys when the stage itself has the focus (no question card on this screen). */
  function onKeyDown(event: React.KeyboardEvent): void {
    if (isTypingTarget(event.target)) return;
    if (event.key === " ") {
      editor.spaceHeld = true;
      event.preventDefault();
      return;
    }
    if (handleKey(editor, event)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }

  const size = ui.imageSize;
  const readOnly = editor.readOnly;
  const classes = `image-editor${active && !readOnly ? " image-editor-active" : ""}${readOnly ? " image-editor-read-only" : ""}`;
  return (
    <div className={classes} data-image-question={question.name} data-read-only={readOnly ? "" : undefined}>
      <div
        ref={stage}
        className="image-stage"
        tabIndex={-1}
        onKeyDown={onKeyDown}
        onKeyUp={(e) => e.key === " " && (editor.spaceHeld = false)}
        aria-label={readOnly ? `${titleOf(question)} on the image (read only)` : `Image to mark for ${titleOf(question)}`}
        data-shape-count={ui.count}
      >
        <canvas ref={base} className="image-layer" aria-hidden="true" />
        <canvas ref={overlay} className="image-layer image-overlay" data-image-overlay="" />
        {badges && badges.length ? (
          <div className="image-badges">
            {badges.map((badge) => (
              <span key={badge} className="image-badge">
                {badge}
              </span>
            ))}
          </div>
        ) : null}
        {problem ? <p className="image-problem" role="alert">{problem}</p> : null}
      </div>
      <div className="image-status small muted">
        <span data-zoom={ui.scale}>{Math.round(ui.scale * 100)}%</span>
        {size ? (
          <span>
            {size[0]}×{size[1]} px{preview ? " (preview, loading the full image…)" : ""}
          </span>
        ) : (
          <span>{problem ? "no image" : "loading the image…"}</span>
        )}
        <span ref={where} className="image-where" />
        {readOnly ? (
          <span className="image-status-keys">
            read only · click selects · drag or arrows pan · <kbd>wheel</kbd>/<kbd>+</kbd><kbd>-</kbd> zoom · <kbd>F</kbd> fit · <kbd>Z</kbd> 1:1 · <kbd>Tab</kbd> next object
          </span>
        ) : statusKeys ? (
          <span className="image-status-keys">{statusKeys}</span>
        ) : (
          <span className="image-status-keys">
            <kbd>wheel</kbd>/<kbd>+</kbd><kbd>-</kbd> zoom · <kbd>F</kbd> fit · <kbd>Z</kbd> 1:1 · <kbd>Space</kbd>+drag or middle button pan
          </span>
        )}
      </div>
    </div>
  );
}

/** Attach the canvases, the renderer and the pointer to the editor while the stage is shown. */
function useStage(
  editor: ImageEditor,
  name: string,
  stage: RefObject<HTMLDivElement | null>,
  base: RefObject<HTMLCanvasElement | null>,
  overlay: RefObject<HTMLCanvasElement | null>,
  where: RefObject<HTMLSpanElement | null>,
  setProblem: (problem: string) => void,
): void {
  useEffect(() => {
    const box = stage.current;
    if (!box || !base.current || !overlay.current) return;
    let renderer: Renderer;
    try {
      renderer = new Renderer(base.current, overlay.current);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
      return;
    }
    const takeKeys = (): void => {
      editor.activate();
      const card = editor.readOnly ? null : document.querySelector<HTMLElement>(`[data-question="${name}"] [data-keys]`);
      (card ?? box).focus({ preventScroll: true });
    };
    const input = new PointerInput(editor, overlay.current, takeKeys);
    const target = overlay.current;
    const size = (): void => {
      const rect = box.getBoundingClientRect();
      const first = renderer.width === 0;
      renderer.resize(rect.width, rect.height, window.devicePixelRatio || 1);
      if (first || !editor.view) editor.attach(renderer);
      else editor.requestPaint(true);
    };
    size();
    const observer = new ResizeObserver(size);
    observer.observe(box);
    editor.onCursor = (p) => {
      if (!where.current) return;
      const under = p && editor.readOnly ? editor.shapeAt(p) : null;
      const object = under ? ` · #${under.id} ${labelText(editor.question, under.label)}` : "";
      where.current.textContent = p ? `x ${p[0].toFixed(1)}, y ${p[1].toFixed(1)}${object}` : "";
    };
    target.addEventListener("pointerdown", input.down);
    target.addEventListener("pointermove", input.move);
    target.addEventListener("pointerup", input.up);
    target.addEventListener("pointerleave", input.leave);
    target.addEventListener("dblclick", input.dblclick);
    target.addEventListener("wheel", input.wheel, { passive: false });
    return () => {
      observer.disconnect();
      editor.attach(null);
      target.removeEventListener("pointerdown", input.down);
      target.removeEventListener("pointermove", input.move);
      target.removeEventListener("pointerup", input.up);
      target.removeEventListener("pointerleave", input.leave);
      target.removeEventListener("dblclick", input.dblclick);
      target.removeEventListener("wheel", input.wheel);
    };
  }, [editor, name, stage, base, overlay, where, setProblem]);
}
