/**
 * Per-frame shapes in the browser (docs/video.md, "Per-frame shapes"): a shape question on a
 * video field is edited with the image editor over the video player, as tracks are
 * (tracks/TracksQuestion.tsx): the player's current frame is the editor's picture
 * (`usePicture`), and the editor shows and edits the objects of that frame only
 * (`useFrameBinding`, frameShapes.ts); what it draws gets that frame. The question's card
 * (ShapesQuestion) and the video share the editor, and the player's frame (`linkOf`).
 *
 * Keys on a video (the tracks' keys, so both read alike): `,` `.` or ← → step a frame, Home /
 * End the first / last frame, Space plays; Alt+arrows do what the plain arrows do on an image
 * (move the selected object, or the crosshair), Alt+`,` / Alt+`.` pick a point. Every other
 * key is the image editor's.
 */
import { useContext, useMemo, type ReactNode } from "react";
import type { Json } from "../../../api/types";
import type { PushOptions } from "../../../editor/history";
import type { FieldSpec, ShapeSpec } from "../../../editor/interface";
import { titleOf } from "../../../editor/interface";
import type { PlayerLink } from "../../fields/video/frames";
import { VideoPlayer } from "../../fields/video/VideoPlayer";
import type { KeyLike } from "./keys";
import { handleKey } from "./keys";
import { UiState, useUiState } from "../../uiState";
import { WidgetContext } from "../../widgetShared";
import { linkOf } from "../events/EventsQuestion";
import { usePicture } from "../tracks/TracksQuestion";
import type { ImageEditor } from "./editor";
import { atFrame, withFrame } from "./frameShapes";
import { ImageCanvas } from "./ImageCanvas";
import { nextId, objectsOf } from "./model";
import { useImageEditor } from "./ShapesQuestion";

type OnChange = (value: Json | undefined, options?: PushOptions) => void;

export interface FrameBinding {
  /** What the editor shows: the whole answer on an image, the frame's objects on a video. */
  value: Json | undefined;
  onChange: OnChange;
  /** The frame shown (null: the question is on an image). */
  frame: number | null;
  link: PlayerLink | null;
}

const NO_FRAME = new UiState(0);

/** Whether a shape question draws on a video's frames (its target is a video field). */
export const onVideo = (question: ShapeSpec, fields: readonly FieldSpec[]): boolean => fields.some((f) => f.name === question.target && f.kind === "video");

/** The editor's value and onChange for a shape question: on a video, the current frame's. */
export function useFrameBinding(editor: ImageEditor, value: Json | undefined, onChange: OnChange, video: boolean): FrameBinding {
  const shared = useContext(WidgetContext);
  const link = video ? linkOf(shared, editor.question.target) : null;
  const frame = useUiState(link?.frame ?? NO_FRAME);
  const shown = video ? atFrame(value, frame) : value;
  const change = useMemo<OnChange>(() => (video ? (next, options) => onChange(withFrame(value, frame, next), options) : onChange), [video, value, frame, onChange]);
  // New objects take an id no frame uses.
  if (video) editor.newId = () => nextId(objectsOf(value));
  return { value: shown, onChange: change, frame: video ? frame : null, link };
}

/** A key on a video's shape question (see the module's comment); true when used. */
export function frameKey(editor: ImageEditor, link: PlayerLink, e: KeyLike): boolean {
  if (e.ctrlKey || e.metaKey) return false;
  const key = e.key;
  if (e.altKey && (key.startsWith("Arrow") || key === "," || key === ".")) return handleKey(editor, { ...e, altKey: false });
  if (e.altKey) return false;
  const last = link.manifest.get() ? (link.manifest.get()?.frames ?? 1) - 1 : Number.MAX_SAFE_INTEGER;
  const go = (to: number): true => {
    link.frame.set(Math.max(0, Math.min(last, to)));
    return true;
  };
  const step = ({ ArrowLeft: -1, ArrowRight: 1, ",": -1, ".": 1 } as Record<string, number>)[key];
  if (step !== undefined && !e.shiftKey && !editor.draft) return go(link.frame.get() + step);
  if (key === "Home") return go(0);
  if (key === "End") return go(last);
  return false;
}

interface Bound {
  value: Json | undefined;
  onChange: OnChange;
  active: boolean;
  activate: () => void;
}

/** A video field with shape questions on it: the active one's (else the first's) objects of
 * the current frame, drawn and edited on the frame. */
export function ShapesVideo({ field, value, questions, bind }: { field: FieldSpec; value: Json | undefined; questions: ShapeSpec[]; bind: (q: ShapeSpec) => Bound }) {
  const owner = questions.find((q) => bind(q).active) ?? questions[0];
  if (!owner) return <VideoPlayer field={field} value={value} />;
  return <OwnedFrames key={owner.name} field={field} value={value} question={owner} binding={bind(owner)} />;
}

function OwnedFrames({ field, value, question, binding }: { field: FieldSpec; value: Json | undefined; question: ShapeSpec; binding: Bound }) {
  const editor = useImageEditor(question);
  const bound = useFrameBinding(editor, binding.value, binding.onChange, true);
  const link = bound.link as PlayerLink;
  const manifest = useUiState(link.manifest);
  const aspect = manifest ? `${manifest.width} / ${manifest.height}` : "16 / 9";
  const stage: ReactNode = (
    <FrameStage editor={editor} question={question} bound={bound} binding={binding} link={link} aspect={aspect} />
  );
  return (
    <div className="frame-shapes-video" aria-label={`${titleOf(field)} with the ${question.kind} of ${titleOf(question)}`}>
      <VideoPlayer field={field} value={value} link={link} stage={stage} />
    </div>
  );
}

const NONE: [] = [];

function FrameStage({ editor, question, bound, binding, link, aspect }: { editor: ImageEditor; question: ShapeSpec; bound: FrameBinding; binding: Bound; link: PlayerLink; aspect: string }) {
  const picture = usePicture(link);
  return (
    <div className="tracks-stage" style={{ ["--video-aspect" as string]: aspect }} data-stage-frame={picture?.frame ?? ""} data-view-frame={bound.frame ?? ""}>
      <ImageCanvas
        editor={editor}
        question={question}
        image={undefined}
        value={bound.value}
        onChange={bound.onChange}
        active={binding.active}
        activate={binding.activate}
        others={NONE}
        picture={picture}
        statusKeys={
          <>
            frame {bound.frame} · <kbd>,</kbd> <kbd>.</kbd> step · <kbd>wheel</kbd>/<kbd>+</kbd><kbd>-</kbd> zoom · <kbd>F</kbd> fit · middle button or <kbd>Ctrl</kbd>+arrows pan
          </>
        }
      />
    </div>
  );
}
