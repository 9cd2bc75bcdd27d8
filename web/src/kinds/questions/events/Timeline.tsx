/**
 * An events question's timeline under its video: one lane per label, each event a bar from
 * its start frame to its end frame (both included), the current frame as a cursor line.
 * Mouse: click an event to select it and go to its start; drag its edges to move its start or
 * end (snapped to frames; the player follows); drag along an empty stretch of a lane to make
 * an event of that label; click an empty stretch to go to that frame. Zoom (`view.ts`): Z /
 * Shift+Z or the − / + buttons around the current frame, Ctrl+wheel around the pointer; the
 * wheel scrolls a zoomed timeline; the view follows the current frame when it moves out.
 */
import { useContext, useEffect, useRef, useState, type PointerEvent } from "react";
import { Kbd } from "../../../ui/Kbd";
import { optionText } from "../../../editor/interface";
import { labelColour } from "../../palette";
import { WidgetContext } from "../../widgetShared";
import { useUiState } from "../../uiState";
import { zoomTimeline, type EventsContext } from "./keys";
import { addEvent, frameText, moveEdge, toAnswer, type VideoEvent } from "./model";
import { follow, frameInView, maxZoom, panned, percentOf, spanOf, zoomed, type View } from "./view";

type Drag = { kind: "edge"; id: string; edge: "start" | "end"; pointer: number } | { kind: "new"; label: string; from: number; to: number; pointer: number };

export function Timeline({ ctx, activate }: { ctx: EventsContext; activate: () => void }) {
  const { question, events, ui, frame: frameState, manifest } = ctx;
  // Read only (a reviewed annotation): a click selects an event or goes to a frame; no drag edits.
  const readOnly = useContext(WidgetContext).readOnly;
  const frame = useUiState(frameState);
  const state = useUiState(ui);
  const [drag, setDrag] = useState<Drag | null>(null);
  const [preview, setPreview] = useState<VideoEvent[] | null>(null);
  const previewRef = useRef<VideoEvent[] | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const lastFrame = useRef(frame);
  const frames = manifest?.frames ?? 1;
  // The view follows the frame when the frame moves out of it (not when the wheel scrolled
  // it away: the frame did not move then).
  const view: View =
    frame !== lastFrame.current ? follow(frames, state.zoom, state.viewStart, frame) : { start: Math.max(0, Math.min(state.viewStart, frames - spanOf(frames, state.zoom))), span: spanOf(frames, state.zoom) };
  const viewRef = useRef(view);
  viewRef.current = view;
  useEffect(() => {
    lastFrame.current = frame;
    if (view.start !== ui.get().viewStart) ui.set({ ...ui.get(), viewStart: view.start });
  });
  // The wheel: a native listener, not passive (React's is), so that it may keep the page still.
  useEffect(() => {
    const element = root.current;
    if (!element || !manifest) return;
    const onWheel = (event: WheelEvent) => {
      const track = (event.target as HTMLElement | null)?.closest<HTMLElement>(".events-track");
      if (!track) return;
      const state = ui.get();
      const current = viewRef.current;
      if (event.ctrlKey) {
        event.preventDefault();
        const rect = track.getBoundingClientRect();
        const fraction = (event.clientX - rect.left) / rect.width;
        const anchor = frameInView(event.clientX - rect.left, rect.width, current);
        const next = Math.max(1, Math.min(maxZoom(frames), event.deltaY < 0 ? state.zoom * 2 : state.zoom / 2));
        if (next !== state.zoom) ui.set({ ...state, zoom: next, viewStart: zoomed(frames, next, anchor, fraction).start });
        return;
      }
      if (state.zoom <= 1) return; // the page scrolls as usual
      const delta = Math.abs(event.deltaX) > Math.abs(event.deltaY) ? event.deltaX : event.deltaY;
      if (delta === 0) return;
      event.preventDefault();
      const by = Math.sign(delta) * Math.max(1, Math.round(current.span / 10));
      ui.set({ ...state, viewStart: panned(frames, current, by).start });
    };
    element.addEventListener("wheel", onWheel, { passive: false });
    return () => element.removeEventListener("wheel", onWheel);
  }, [manifest, frames, ui]);
  if (!manifest) return null;
  const last = frames - 1;
  const times = manifest.times;
  const shown = preview ?? events;
  const at = (e: PointerEvent<HTMLElement>, track: HTMLElement) => {
    const rect = track.getBoundingClientRect();
    return frameInView(e.clientX - rect.left, rect.width, view);
  };
  const pct = (n: number) => `${percentOf(n, view)}%`;
  const inView = (start: number, end: number) => end >= view.start && start < view.start + view.span;
  const width = (start: number, end: number) => `${((end - start + 1) / view.span) * 100}%`;

  const onDown = (e: PointerEvent<HTMLDivElement>, label: string) => {
    if (e.button !== 0) return;
    activate();
    const track = e.currentTarget;
    // The keys ([, ], Delete, Tab...) then reach the player and this question's handler.
    track.closest<HTMLElement>(".video-player")?.focus({ preventScroll: true });
    const f = at(e, track);
    const target = e.target instanceof HTMLElement ? e.target : null;
    const edge = target?.closest<HTMLElement>("[data-edge]");
    const bar = target?.closest<HTMLElement>("[data-event-id]");
    track.setPointerCapture(e.pointerId);
    e.preventDefault();
    if (edge && bar && !readOnly) {
      const id = bar.dataset.eventId as string;
      ui.set({ ...ui.get(), selected: id });
      setDrag({ kind: "edge", id, edge: edge.dataset.edge === "start" ? "start" : "end", pointer: e.pointerId });
    } else if (bar) {
      const event = events.find((x) => x.id === bar.dataset.eventId);
      if (event) {
        ui.set({ ...ui.get(), selected: event.id });
        frameState.set(event.start);
      }
    } else {
      frameState.set(f);
      if (!readOnly) setDrag({ kind: "new", label, from: f, to: f, pointer: e.pointerId });
    }
  };

  const onMove = (e: PointerEvent<HTMLDivElement>) => {
    if (!drag || e.pointerId !== drag.pointer) return;
    const f = at(e, e.currentTarget);
    if (drag.kind === "edge") {
      const next = moveEdge(question, events, drag.id, drag.edge, f, last);
      const moved = next.find((x) => x.id === drag.id);
      if (moved) frameState.set(drag.edge === "start" ? moved.start : moved.end);
      previewRef.current = next;
      setPreview(next);
    } else if (f !== drag.to) {
      setDrag({ ...drag, to: f });
      frameState.set(f);
    }
  };

  const onUp = (e: PointerEvent<HTMLDivElement>) => {
    if (!drag || e.pointerId !== drag.pointer) return;
    if (drag.kind === "edge" && previewRef.current) ctx.onChange(toAnswer(previewRef.current));
    if (drag.kind === "new" && drag.to !== drag.from) {
      const edit = addEvent(question, events, drag.label, drag.from, drag.to);
      if ("error" in edit) ctx.announce(`not marked: ${edit.error}`);
      else {
        ctx.onChange(toAnswer(edit.events));
        ui.set({ ...ui.get(), selected: edit.made.id, mark: null });
      }
    }
    previewRef.current = null;
    setPreview(null);
    setDrag(null);
  };

  return (
    <div ref={root} className="events-timeline" data-events-timeline={question.name} data-view-start={view.start} data-view-span={view.span} data-zoom={state.zoom} aria-label={`Events of ${question.label || question.name}`}>
      <div className="events-now muted small">
        <span>
          {frameText(frame, times)}
          {state.mark !== null ? <span data-events-mark={state.mark}> · start marked at {frameText(state.mark, times)}</span> : null}
        </span>
        <span className="events-zoom">
          <button type="button" className="small" aria-label="Zoom the timeline out" title="Zoom the timeline out (Shift+Z)" disabled={state.zoom <= 1} onClick={() => zoomTimeline(ctx, state.zoom / 2)}>
            − <Kbd keys="Shift+Z" />
          </button>
          <span data-events-zoom>
            {state.zoom === 1 ? "whole video" : `zoom ${state.zoom}× · frames ${view.start}–${view.start + view.span - 1}`}
          </span>
          <button type="button" className="small" aria-label="Zoom the timeline in" title="Zoom the timeline in (Z; Ctrl+wheel over it)" disabled={state.zoom >= maxZoom(frames)} onClick={() => zoomTimeline(ctx, state.zoom * 2)}>
            + <Kbd keys="Z" />
          </button>
        </span>
      </div>
      {question.labels.map((option, index) => {
        const colour = labelColour(index);
        const lane = shown.filter((x) => x.label === option.value);
        const ghost = drag?.kind === "new" && drag.label === option.value && drag.to !== drag.from ? drag : null;
        return (
          <div key={option.value} className="events-lane" data-lane={option.value}>
            <span className="events-lane-name" style={{ borderColor: colour.edge }}>
              {index < 9 ? <kbd>{index + 1}</kbd> : null} {optionText(option)}
            </span>
            <div className="events-track" data-track={option.value} onPointerDown={(e) => onDown(e, option.value)} onPointerMove={onMove} onPointerUp={onUp} onPointerCancel={onUp}>
              {lane.filter((x) => inView(x.start, x.end)).map((x) => (
                <div
                  key={x.id}
                  className={`events-bar${state.selected === x.id ? " selected" : ""}`}
                  data-event-id={x.id}
                  data-start={x.start}
                  data-end={x.end}
                  title={`${optionText(option)}: ${frameText(x.start, times)} to ${frameText(x.end, times)}`}
                  style={{ left: pct(x.start), width: width(x.start, x.end), background: colour.fill, borderColor: colour.edge }}
                >
                  <span className="events-edge start" data-edge="start" />
                  <span className="events-edge end" data-edge="end" />
                </div>
              ))}
              {ghost ? (
                <div className="events-bar ghost" style={{ left: pct(Math.min(ghost.from, ghost.to)), width: width(Math.min(ghost.from, ghost.to), Math.max(ghost.from, ghost.to)), borderColor: colour.edge }} />
              ) : null}
              {inView(frame, frame) ? <div className="events-cursor" style={{ left: pct(frame + 0.5) }} /> : null}
            </div>
          </div>
        );
      })}
    </div>
  );
}
