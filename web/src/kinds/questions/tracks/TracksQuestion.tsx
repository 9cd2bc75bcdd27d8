/**
 * A `tracks` question: its card (labels, the track tools, the selected track's label and
 * attributes, the list of tracks with what each is at this frame, the keys) and, on the video
 * it targets, the frame with the tracks' shapes to draw and edit (`TracksVideo`) and the
 * timeline under the player. The frame is edited with the image editor (frameView.ts): the
 * video frame is its picture, the tracks present there its objects. Card, frame and timeline
 * share the player's frame (`PlayerLink`), the question's UI state and its editor through
 * `WidgetShared`; every change of the answer goes through `onChange` (one undo step each).
 */
import { useContext, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent } from "react";
import type { Json } from "../../../api/types";
import type { FieldSpec, ShapeSpec, TracksSpec } from "../../../editor/interface";
import { optionText, titleOf } from "../../../editor/interface";
import { Kbd } from "../../../ui/Kbd";
import type { PlayerLink, ShownFrame } from "../../fields/video/frames";
import { VideoPlayer } from "../../fields/video/VideoPlayer";
import { labelColour } from "../../palette";
import { isTypingTarget, keyLabel, type QuestionProps } from "../../types";
import { UiState, useUiState } from "../../uiState";
import { WidgetContext, type WidgetShared } from "../../widgetShared";
import { linkOf } from "../events/EventsQuestion";
import { ImageEditor } from "../image/editor";
import { ImageCanvas } from "../image/ImageCanvas";
import { AttributeInput } from "../image/ObjectList";
import { applyFrameEdit, frameView, shapeSpecOf, viewOf, type FrameView } from "./frameView";
import { actions, commit, framesOf, initialTracksUi, say, selectTrack, tracksKey, type TracksContext, type TracksUi } from "./keys";
import { editTrack, geomJson, nextTrackId, relabelTrack, setMutableAttribute, setTrackAttribute, stateAt, toAnswer as toAnswerOf, tracksOf, type Track } from "./model";
import { TracksTimeline } from "./Timeline";
import "../../../styles/tracks.css";

const specs = new WeakMap<TracksSpec, ShapeSpec>();
const specOf = (q: TracksSpec): ShapeSpec => {
  let spec = specs.get(q);
  if (!spec) specs.set(q, (spec = shapeSpecOf(q)));
  return spec;
};

/** The one image editor of a tracks question in this task (shared by its card and its video). */
function editorOf(shared: WidgetShared, question: TracksSpec): ImageEditor {
  const state = shared.get<ImageEditor | null>(`tracks-editor:${question.name}`, null);
  let editor = state.get();
  if (!editor) {
    editor = new ImageEditor(specOf(question));
    editor.announce = shared.announce;
    editor.readOnly = shared.readOnly;
    editor.liveImage = true; // a new picture at every frame shown (renderer.ts, Scene.live)
    state.set(editor);
  }
  return editor;
}

function useTracksContext(question: TracksSpec, value: Json | undefined, onChange: TracksContext["onChange"]): TracksContext & { link: PlayerLink } {
  const shared = useContext(WidgetContext);
  const link = linkOf(shared, question.target);
  const manifest = useUiState(link.manifest);
  const ui = shared.get<TracksUi>(`tracks:${question.name}`, initialTracksUi);
  useUiState(ui);
  const editor = editorOf(shared, question);
  const tracks = useMemo(() => tracksOf(question.shape, value), [question.shape, value]);
  editor.newId = () => nextTrackId(tracks);
  return { question, tracks, ui, frame: link.frame, manifest, editor, readOnly: shared.readOnly, onChange, announce: shared.announce, link };
}

/** What a track is at a frame, in words. */
function stateText(track: Track, frame: number, frames: number | null): string {
  const state = stateAt(track, frame, frames);
  if (state) return `${state.keyframe ? "keyframe" : "between keyframes"}${state.occluded ? ", occluded" : ""}`;
  if (track.keyframes[0] && frame < track.keyframes[0].frame) return `starts at frame ${track.keyframes[0].frame}`;
  return "outside";
}

export function TracksQuestion({ question, value, onChange, active }: QuestionProps<TracksSpec>) {
  const ctx = useTracksContext(question, value, onChange);
  const { tracks, ui, editor } = ctx;
  const state = ui.get();
  const frame = useUiState(listFrameOf(ctx.link));
  // The parts of the editor's state the card shows, each alone: the editor changes its state
  // (the shape count) at every frame of playback, and the card must not re-render then.
  const newLabel = useSyncExternalStore(editor.subscribe, () => editor.ui.label);
  const drawing = useSyncExternalStore(editor.subscribe, () => editor.ui.drawing);
  const editorMessage = useSyncExternalStore(editor.subscribe, () => editor.ui.message);
  const frames = framesOf(ctx);
  const selected = tracks.find((t) => t.id === state.selected) ?? null;

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (isTypingTarget(event.target)) return;
    if (!tracksKey(ctx, event)) return;
    event.preventDefault();
    event.stopPropagation();
  };
  const keep = (e: React.MouseEvent) => e.preventDefault(); // the card keeps the keyboard focus
  const tool = (label: string, keys: string, run: () => unknown, name: string, disabled = false) => (
    <button type="button" tabIndex={-1} onMouseDown={keep} onClick={() => run()} data-track-action={name} disabled={disabled || ctx.readOnly}>
      {label} <Kbd keys={keys} />
    </button>
  );

  return (
    <div className="tracks-card" tabIndex={-1} data-keys="" onKeyDown={onKeyDown}>
      <div className="span-labels" role="toolbar" aria-label="Labels">
        {question.labels.map((option, index) => {
          const colour = labelColour(index);
          const key = keyLabel(index);
          // The selected track's label, else the one new tracks get.
          const chosen = selected ? selected.label === option.value : newLabel === index;
          return (
            <button
              key={option.value}
              type="button"
              tabIndex={-1}
              onMouseDown={keep}
              className={`span-label-button${chosen ? " chosen" : ""}`}
              aria-pressed={chosen}
              style={{ background: colour.fill, borderColor: colour.edge }}
              onClick={() => actions.relabel(ctx, index)}
              title={option.hint || undefined}
            >
              {key && index < 9 ? <kbd>{key}</kbd> : null} {optionText(option)}
            </button>
          );
        })}
      </div>
      <div className="tracks-tools" role="toolbar" aria-label="Track tools">
        {tool("◀ keyframe", "Shift+←", () => actions.jump(ctx, -1), "previous-keyframe")}
        {tool("keyframe ▶", "Shift+→", () => actions.jump(ctx, 1), "next-keyframe")}
        {tool("Keyframe", "K", () => actions.keyframe(ctx), "keyframe", !selected)}
        {tool("Outside", "O", () => actions.outside(ctx), "outside", !selected)}
        {tool("Occluded", "C", () => actions.occluded(ctx), "occluded", !selected)}
        {tool("Propagate…", "P", () => ui.set({ ...ui.get(), asking: true }), "propagate", !selected)}
        {tool("Split", "X", () => actions.split(ctx), "split", !selected)}
        {tool("Delete track", "Del", () => actions.remove(ctx), "delete", !selected)}
      </div>
      {state.asking && selected ? <PropagateBox ctx={ctx} /> : null}
      <p className="shape-status small" role="status" data-tracks-message="">
        {drawing ?? (state.message || editorMessage)}
      </p>
      {selected ? <SelectedTrack ctx={ctx} track={selected} frame={frame} /> : null}
      {tracks.length === 0 ? (
        <p className="muted small">No tracks yet.</p>
      ) : (
        <ol className="tracks-list" aria-label="Tracks">
          {tracks.map((t) => {
            const here = stateAt(t, frame, frames);
            return (
              <li
                key={t.id}
                data-track-id={t.id}
                data-label={t.label}
                data-present={here ? "true" : "false"}
                data-keyframe={here?.keyframe ? "true" : "false"}
                data-occluded={here?.occluded ? "true" : "false"}
                data-geom={here ? JSON.stringify(geomJson(here.geom)) : ""}
                className={t.id === state.selected ? "selected" : ""}
              >
                <button type="button" tabIndex={-1} className="button-quiet" onMouseDown={keep} onClick={() => selectTrack(ctx, t.id)}>
                  {t.id} · {labelText(question, t.label)} — {stateText(t, frame, frames)} · {t.keyframes.length} keyframe{t.keyframes.length === 1 ? "" : "s"}
                </button>
              </li>
            );
          })}
        </ol>
      )}
      {active ? <KeysHint question={question} /> : null}
    </div>
  );
}

function labelText(question: TracksSpec, value: string): string {
  const option = question.labels.find((o) => o.value === value);
  return option ? optionText(option) : value;
}

/** P: how many frames to propagate the selected track's shape over (Enter applies). */
function PropagateBox({ ctx }: { ctx: TracksContext }) {
  const [typed, setTyped] = useState(String(ctx.ui.get().propagate));
  const close = (target: HTMLElement) => {
    ctx.ui.set({ ...ctx.ui.get(), asking: false });
    target.closest<HTMLElement>("[data-keys]")?.focus({ preventScroll: true });
  };
  const apply = (target: HTMLElement) => {
    const n = Number(typed);
    if (!Number.isInteger(n) || n < 1) {
      say(ctx, `propagate over a whole number of frames ≥ 1 (not “${typed}”)`);
      return;
    }
    ctx.ui.set({ ...ctx.ui.get(), propagate: n });
    actions.propagate(ctx, n);
    close(target);
  };
  return (
    <label className="tracks-propagate">
      Propagate the shape over the next{" "}
      <input
        type="number"
        min={1}
        autoFocus
        value={typed}
        aria-label="Frames to propagate over"
        onFocus={(e) => e.currentTarget.select()}
        onChange={(e) => setTyped(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            apply(e.currentTarget);
          } else if (e.key === "Escape") {
            e.preventDefault();
            close(e.currentTarget);
          }
          e.stopPropagation();
        }}
      />{" "}
      frames{" "}
      <button type="button" onClick={(e) => apply(e.currentTarget)}>
        Propagate <Kbd keys="Enter" />
      </button>
    </label>
  );
}

function SelectedTrack({ ctx, track, frame }: { ctx: TracksContext; track: Track; frame: number }) {
  const { question, tracks, onChange } = ctx;
  const frames = framesOf(ctx);
  const here = stateAt(track, frame, frames);
  const others = tracks.filter((t) => t.id !== track.id);
  const [other, setOther] = useState("");
  return (
    <div className="shape-selected tracks-selected" data-selected-track={track.id}>
      <strong>{track.id}</strong>{" "}
      <select
        aria-label="Label of the selected track"
        tabIndex={-1}
        value={track.label}
        disabled={ctx.readOnly}
        onChange={(e) => commit(ctx, { tracks: relabelTrack(tracks, track.id, e.target.value) }, `track ${track.id}: ${e.target.value}`)}
      >
        {question.labels.map((o) => (
          <option key={o.value} value={o.value}>
            {optionText(o)}
          </option>
        ))}
      </select>{" "}
      <span className="muted small">at frame {frame}: {stateText(track, frame, frames)}</span>
      {question.attributes.map((attribute) =>
        attribute.mutable ? (
          <span key={attribute.name} className="tracks-attribute" title="changes from this frame on">
            <AttributeInput
              attribute={attribute}
              value={here?.attributes[attribute.name]}
              onChange={(v) => {
                const edit = editTrack(tracks, track.id, (t) => setMutableAttribute(t, frame, attribute.name, v, frames));
                if ("error" in edit) say(ctx, `not set: ${edit.error}`);
                else onChange(toAnswerOf(edit.tracks), { coalesce: `tracks:${question.name}:${track.id}:${frame}:${attribute.name}` });
              }}
            />
            <span className="muted small"> (from frame {frame} on)</span>
          </span>
        ) : (
          <AttributeInput
            key={attribute.name}
            attribute={attribute}
            value={track.attributes?.[attribute.name]}
            onChange={(v) => onChange(toAnswerOf(tracks.map((t) => (t.id === track.id ? setTrackAttribute(t, attribute.name, v) : t))), { coalesce: `tracks:${question.name}:${track.id}:${attribute.name}` })}
          />
        ),
      )}
      {others.length && !ctx.readOnly ? (
        <span className="tracks-merge">
          <select aria-label="Track to merge into the selected one" tabIndex={-1} value={other} onChange={(e) => setOther(e.target.value)}>
            <option value="">merge with…</option>
            {others.map((t) => (
              <option key={t.id} value={t.id}>
                {t.id} · {labelText(question, t.label)}
              </option>
            ))}
          </select>{" "}
          <button type="button" tabIndex={-1} disabled={!other} onClick={() => actions.merge(ctx, other)} data-track-action="merge">
            Merge <Kbd keys="Shift+M" />
          </button>
        </span>
      ) : null}
    </div>
  );
}


function KeysHint({ question }: { question: TracksSpec }) {
  const draw: Record<TracksSpec["shape"], string> = {
    box: "drag on the frame, or N at one corner and N at the other",
    polygon: "click (or N) point by point; Enter, a double-click or the first point closes",
    point: "click (or N) where the point is",
    keypoints: "click (or N) each point in skeleton order; Shift: not visible; X skips one; Enter ends",
  };
  return (
    <p className="muted small keys-help tracks-keys">
      New track: {draw[question.shape]}. Drag a shape (or <Kbd keys="Alt" />+arrows) to move it: a keyframe at this frame. <Kbd keys="," /> <Kbd keys="." /> or{" "}
      <Kbd keys="←" /> <Kbd keys="→" /> step · <Kbd keys="Shift+←" /> <Kbd keys="Shift+→" /> previous / next keyframe · <Kbd keys="Space" /> play · <Kbd keys="K" /> keyframe on / off ·{" "}
      <Kbd keys="O" /> outside · <Kbd keys="C" /> occluded · <Kbd keys="P" /> propagate · <Kbd keys="X" /> split · <Kbd keys="Shift+M" /> merge · <Kbd keys="1" />–<Kbd keys="9" /> label ·{" "}
      <Kbd keys="Tab" /> next track · <Kbd keys="Del" /> delete track · <Kbd keys="Esc" /> deselect · <kbd>+</kbd> <kbd>-</kbd> <Kbd keys="F" /> zoom (wheel too; speed: the menu)
    </p>
  );
}

interface Bound {
  value: Json | undefined;
  onChange: TracksContext["onChange"];
  active: boolean;
  activate: () => void;
}

/** A video field with a tracks question on it: the frame with the tracks' shapes in the
 * player, and the timeline under it (the active tracks question's, else the first's). */
export function TracksVideo({ field, value, questions, bind }: { field: FieldSpec; value: Json | undefined; questions: TracksSpec[]; bind: (q: TracksSpec) => Bound }) {
  const owner = questions.find((q) => bind(q).active) ?? questions[0];
  if (!owner) return <VideoPlayer field={field} value={value} />;
  return <OwnedVideo key={owner.name} field={field} value={value} question={owner} binding={bind(owner)} />;
}

function OwnedVideo({ field, value, question, binding }: { field: FieldSpec; value: Json | undefined; question: TracksSpec; binding: Bound }) {
  const ctx = useTracksContext(question, binding.value, binding.onChange);
  const onKeyDownCapture = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.defaultPrevented || isTypingTarget(event.target)) return;
    if (!tracksKey(ctx, event)) return;
    event.preventDefault();
    event.stopPropagation();
  };
  return (
    <div className="tracks-video" onKeyDownCapture={onKeyDownCapture} aria-label={`${titleOf(field)} with the tracks of ${titleOf(question)}`}>
      <VideoPlayer
        field={field}
        value={value}
        link={ctx.link}
        stage={<TrackStage ctx={ctx} binding={binding} />}
        below={<TracksTimeline ctx={ctx} activate={binding.activate} playing={ctx.link.playing} />}
      />
    </div>
  );
}

export interface Picture {
  image: ImageBitmap;
  width: number;
  height: number;
  frame: number;
}

/** The frame shown, with the tracks present on it, in the image editor. */
function TrackStage({ ctx, binding }: { ctx: TracksContext & { link: PlayerLink }; binding: Bound }) {
  const { editor, ui, question, tracks } = ctx;
  const frame = useUiState(ctx.frame);
  const frames = framesOf(ctx);
  const view = useMemo(() => frameView(tracks, frame, frames), [tracks, frame, frames]);
  const picture = usePicture(ctx.link);

  // The image editor's edits become track edits at the frame it shows.
  const onChange = useRef<(next: Json | undefined) => void>(() => {});
  onChange.current = (next) => {
    const shown: FrameView = viewOf(editor.value) ?? view;
    const edit = applyFrameEdit(question, shown, next, frames);
    if ("error" in edit) say(ctx, `not done: ${edit.error}`);
    else ctx.onChange(toAnswerOf(edit.tracks));
  };
  const editorChange = useMemo(() => (next: Json | undefined) => onChange.current(next), []);

  // The selection follows the editor (a click, Tab, Esc on the frame) while the track is in the picture.
  useEffect(() => {
    let before = editor.ui.selectedId;
    return editor.subscribe(() => {
      const now = editor.ui.selectedId;
      if (now === before) return;
      before = now;
      const state = ui.get();
      if (now !== null && state.selected !== now) ui.set({ ...state, selected: now });
      else if (now === null && state.selected !== null && editor.shapes.some((s) => s.id === state.selected)) ui.set({ ...state, selected: null });
    });
  }, [editor, ui]);
  // ...and the selected track is selected on the frame again when it comes back into the picture.
  useLayoutEffect(() => {
    const id = ui.get().selected;
    if (id !== null && view.states.has(id) && editor.ui.selectedId !== id && !editor.draft) {
      editor.setUi({ selectedId: id, vertex: -1 });
      editor.requestPaint(true);
    }
  }, [editor, ui, view]);

  // The editor's paint count when it was handed this frame's picture (its effect ran first):
  // the next paint shows it. bench/video_open.py times seeks and steps by it. That paint is
  // made at once, in the player's own frame: waiting for the next one painted only every
  // other frame of playback.
  const stage = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!picture || !stage.current) return;
    stage.current.dataset.picturePaints = String(editor.paints);
    stage.current.dataset.pictureFrame = String(picture.frame);
    editor.flushPaint();
  }, [editor, picture]);

  const manifest = ctx.manifest;
  const aspect = manifest ? `${manifest.width} / ${manifest.height}` : "16 / 9";
  return (
    <div ref={stage} className="tracks-stage" style={{ ["--video-aspect" as string]: aspect }} data-stage-frame={picture?.frame ?? ""} data-view-frame={view.frame}>
      <ImageCanvas
        editor={editor}
        question={specOf(question)}
        image={undefined}
        value={view.value}
        onChange={editorChange}
        active={binding.active}
        activate={binding.activate}
        others={NONE}
        picture={picture}
        statusKeys={
          <>
            <kbd>wheel</kbd>/<kbd>+</kbd><kbd>-</kbd> zoom · <kbd>F</kbd> fit · <kbd>Z</kbd> 1:1 · middle button or <kbd>Ctrl</kbd>+arrows pan
          </>
        }
      />
    </div>
  );
}

const NONE: [] = [];

/** The player's current frame as the editor's picture: the player's own bitmap, drawn as
 * it is (no copy: the player keeps the last few frames it showed open, `FrameStore.pin`). */
export function usePicture(link: PlayerLink): Picture | null {
  const shown = useUiState(link.shown ?? NO_SHOWN);
  return useMemo(() => (shown ? { image: shown.bitmap, width: shown.bitmap.width, height: shown.bitmap.height, frame: shown.frame } : null), [shown]);
}

/** The frame for lists beside the player (the card's 200 rows): the player's frame when
 * paused; while it plays, the frame it started from, until it stops (the frame itself is drawn
 * at full rate). Bringing 200 rows up to date, even twice a second, cost playback a frame each
 * time on a busy machine. A state of its own, so that the card does not even re-render at the
 * other frames. */
function listFrameOf(link: PlayerLink): UiState<number> {
  const known = listFrames.get(link);
  if (known) return known;
  const listed = new UiState(link.frame.get());
  const playing = link.playing ?? NOT_PLAYING;
  const follow = () => {
    if (!playing.get()) listed.set(link.frame.get());
  };
  link.frame.subscribe(follow); // for as long as the link lives (the task's screen)
  playing.subscribe(follow);
  listFrames.set(link, listed);
  return listed;
}

const listFrames = new WeakMap<PlayerLink, UiState<number>>();
const NOT_PLAYING = new UiState(false);
const NO_SHOWN = new UiState<ShownFrame | null>(null);
